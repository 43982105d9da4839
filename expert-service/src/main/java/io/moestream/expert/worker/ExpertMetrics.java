package io.moestream.expert.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.moestream.expert.selection.ExpertId;
import java.util.concurrent.TimeUnit;

/**
 * One served expert's Prometheus metrics, tagged {@code layer} and {@code expert}: {@code moe_expert_tokens_total}
 * (rows computed), {@code moe_expert_processing_seconds} (a window of tasks: kernel calls, publishing, acks),
 * {@code moe_expert_batch_rows} (rows per kernel call, i.e. how well tasks merge) and
 * {@code moe_expert_dead_letters_total} (tasks rejected to the dead-letter topic).
 */
public final class ExpertMetrics {
    private final Counter tokens;
    private final Timer processing;
    private final DistributionSummary batchRows;
    private final Counter deadLetters;

    private ExpertMetrics(Counter tokens, Timer processing, DistributionSummary batchRows, Counter deadLetters) {
        this.tokens = tokens;
        this.processing = processing;
        this.batchRows = batchRows;
        this.deadLetters = deadLetters;
    }

    public static ExpertMetrics register(MeterRegistry registry, ExpertId id) {
        String layer = Integer.toString(id.layer());
        String expert = Integer.toString(id.expert());
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
                        .tags("layer", layer, "expert", expert).register(registry));
    }

    /** For the {@code MicroBatcher}: the rows of one kernel call. */
    public void batch(int rows) {
        batchRows.record(rows);
    }

    void window(int rows, long nanos, int deadLettered) {
        tokens.increment(rows);
        processing.record(nanos, TimeUnit.NANOSECONDS);
        deadLetters.increment(deadLettered);
    }
}
