package io.moestream.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Every figure of one bench run and the targets checked against them; written as JSON and printed as a table. The BF16
 * figures (items 2b and 7) are null in a run that did not measure them.
 */
public record BenchReport(String date, MachineInfo machine, BenchSpec spec, Map<String, String> serviceProperties,
                          List<KernelLimits.Point> kernel,
                          Reference reference, KafkaHop kafkaHop, Pipeline pipeline, List<ProcessFigures> processes,
                          List<Targets.Check> targets, Bf16Kernels bf16Kernels, Bf16Pipeline bf16Pipeline) {

    /** Item 3: the layer in one process, whole input and chunk by chunk. */
    public record Reference(double wholeTokensPerSecond, double chunkedTokensPerSecond, LatencySummary chunkCompute) {
    }

    /** Item 4: one Kafka hop for a record the size of a token chunk. */
    public record KafkaHop(int recordBytes, LatencySummary latency) {
    }

    /**
     * Item 5: the pipeline at saturation and one chunk at a time.
     *
     * @param maxRelError       the pipeline's output against the reference layer, {@code max |y - ref| / max |ref|}
     * @param throughputBatchRows mean rows per expert kernel call in the measured throughput runs
     * @param roundTripOverHops round-trip percentiles divided by three hops at the same percentile
     * @param roundTripStages   the round trip split at the broker's append times of the chunk's records
     * @param expertStageMeanMillis the experts' stage timers in the round trips, mean milliseconds per window
     */
    public record Pipeline(double tokensPerSecond, double ratioToReference, double maxRelError,
                           double throughputBatchRows, LatencySummary roundTrip,
                           Map<String, Double> roundTripOverHops, Map<String, LatencySummary> roundTripStages,
                           Map<String, Double> expertStageMeanMillis) {

        /** The same figures, with the ratio taken to a reference of {@code referenceTokensPerSecond}. */
        public Pipeline againstReference(double referenceTokensPerSecond) {
            return new Pipeline(tokensPerSecond, tokensPerSecond / referenceTokensPerSecond, maxRelError,
                    throughputBatchRows, roundTrip,
                    roundTripOverHops, roundTripStages, expertStageMeanMillis);
        }
    }

    /** Item 6 and the CPU time of the throughput phase, per process. */
    public record ProcessFigures(String name, long pid, double peakRssMib, double cpuSeconds, double coresBusy,
                                 Map<String, Double> topThreadsCpuSeconds) {
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), this);
    }
}
