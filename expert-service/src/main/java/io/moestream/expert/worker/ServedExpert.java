package io.moestream.expert.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.tensor.Matrix;
import io.moestream.expert.batching.MicroBatcher;
import io.moestream.expert.task.DecodedTask;
import io.moestream.expert.task.ExpertTaskDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * One expert as its group serves it: its identity, task topic, loaded kernel, task decoder and micro-batcher. Its
 * metrics are registered on its first window, so that the thousands of experts a group may hold cost no meters until
 * they get work.
 */
public final class ServedExpert {
    private final ExpertId id;
    private final String topic;
    private final ExpertKernel kernel;
    private final ExpertTaskDecoder decoder;
    private final MicroBatcher batcher;
    private final MeterRegistry registry;
    private volatile ExpertMetrics metrics;

    public ServedExpert(ExpertId id, String topic, ExpertKernel kernel, ExpertTaskDecoder decoder, int maxBatchRows,
                        MeterRegistry registry) {
        this.id = id;
        this.topic = topic;
        this.kernel = kernel;
        this.decoder = decoder;
        this.registry = registry;
        this.batcher = new MicroBatcher(maxBatchRows, rows -> metrics().batch(rows));
    }

    public ExpertId id() {
        return id;
    }

    public String topic() {
        return topic;
    }

    public ExpertTaskDecoder decoder() {
        return decoder;
    }

    ExpertKernel kernel() {
        return kernel;
    }

    ExpertMetrics metrics() {
        ExpertMetrics registered = metrics;
        if (registered == null) {
            synchronized (this) {
                if (metrics == null) {
                    metrics = ExpertMetrics.register(registry, id);
                }
                registered = metrics;
            }
        }
        return registered;
    }

    /**
     * Runs the kernel over {@code tasks} in micro-batches and returns, per task and in order, its rows' gate-weighted
     * outputs. Two consumers of the process may hold partitions of the same expert, and a kernel serves one thread at a
     * time, so the calls of one expert take turns.
     */
    List<Matrix> compute(List<DecodedTask> tasks) {
        List<Matrix> outputs = new ArrayList<>(tasks.size());
        synchronized (kernel) {
            for (List<DecodedTask> batch : batcher.batches(tasks)) {
                outputs.addAll(batcher.forward(batch, kernel));
            }
        }
        return outputs;
    }
}
