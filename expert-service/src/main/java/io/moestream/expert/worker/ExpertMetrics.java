package io.moestream.expert.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.moestream.core.placement.ExpertId;
import java.util.concurrent.TimeUnit;

/**
 * One served expert's Prometheus metrics, tagged {@code layer} and {@code expert}: {@code moe_expert_tokens_total}
 * (rows computed), {@code moe_expert_processing_seconds} (a window of tasks: kernel calls, publishing, acks),
 * {@code moe_expert_batch_rows} (rows per kernel call, i.e. how well tasks merge),
 * {@code moe_expert_dead_letters_total} (tasks rejected to the dead-letter topic) and {@code moe_expert_stage_seconds}
 * (tagged {@code stage}: where a window's time goes, see {@link Stage}).
 */
public final class ExpertMetrics {
    private final Counter tokens;
    private final Timer processing;
    private final DistributionSummary batchRows;
    private final Counter deadLetters;
    private final Timer[] stages;

    /** The stages of one window, in order, as the {@code stage} tag names them. */
    public enum Stage {
        /** From the first task's record timestamp (the router's send) to the poll that returned it. */
        FETCH,
        /** From that poll to the window's close: decoding, and waiting up to max-wait for more tasks. */
        GATHER,
        /**
         * Kernel calls (with any wait for a core, see {@code moe.expert.concurrent-kernels}) and gate-weight scaling,
         * summed over the window's micro-batches.
         */
        KERNEL,
        /** Encoding and sending the results, then awaiting the broker's acks. */
        PUBLISH;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private ExpertMetrics(Counter tokens, Timer processing, DistributionSummary batchRows, Counter deadLetters,
                          Timer[] stages) {
        this.tokens = tokens;
        this.processing = processing;
        this.batchRows = batchRows;
        this.deadLetters = deadLetters;
        this.stages = stages;
    }

    public static ExpertMetrics register(MeterRegistry registry, ExpertId id) {
        String layer = Integer.toString(id.layer());
        String expert = Integer.toString(id.expert());
        Timer[] stages = new Timer[Stage.values().length];
        for (Stage stage : Stage.values()) {
            stages[stage.ordinal()] = Timer.builder("moe.expert.stage")
                    .description("Time of one window spent in each stage (fetch, gather, kernel, publish)")
                    .tags("layer", layer, "expert", expert, "stage", stage.tag()).register(registry);
        }
        return new ExpertMetrics(
                Counter.builder("moe.expert.tokens").description("Rows this expert computed")
                        .tags("layer", layer, "expert", expert).register(registry),
                Timer.builder("moe.expert.processing")
                        .description("Time to process one window of tasks: kernel calls, publishing the results, awaiting the acks")
                        .tags("layer", layer, "expert", expert).publishPercentileHistogram().register(registry),
                DistributionSummary.builder("moe.expert.batch.rows")
                        .description("Rows per expert kernel call (tasks merged into one micro-batch)")
                        .baseUnit("rows").tags("layer", layer, "expert", expert).register(registry),
                Counter.builder("moe.expert.dead.letters").description("Tasks this expert rejected to the dead-letter topic")
                        .tags("layer", layer, "expert", expert).register(registry),
                stages);
    }

    /** For the {@code MicroBatcher}: the rows of one kernel call. */
    public void batch(int rows) {
        batchRows.record(rows);
    }

    void stage(Stage stage, long nanos) {
        stages[stage.ordinal()].record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    void window(int rows, long nanos, int deadLettered) {
        tokens.increment(rows);
        processing.record(nanos, TimeUnit.NANOSECONDS);
        deadLetters.increment(deadLettered);
    }
}
