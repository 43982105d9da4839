package io.moestream.tools.bench;

import io.moestream.proto.v1.DType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A hand-made bench report for the tests of its pure pieces: round figures whose ratios are easy to check. */
final class BenchFigures {
    static final BenchSpec SPEC = new BenchSpec(1024, 3584, 8, 2, 4096, 128, 2, 200, new int[] {16, 64, 256},
            Duration.ofSeconds(30), 42, DType.FP32);

    private BenchFigures() {
    }

    static LatencySummary latencyMillis(double p50, double p99) {
        return new LatencySummary(200, p50 * 1000, p99 * 1000, p99 * 1000, p99 * 1000, p50 * 1000);
    }

    static List<KernelLimits.Point> kernel() {
        return List.of(
                new KernelLimits.Point(16, 80, 40, 2000),     // 50%: below the rows the target covers
                new KernelLimits.Point(64, 150, 135, 5000),   // 90%
                new KernelLimits.Point(256, 200, 172, 7000)); // 86%: the worst at >= 64 rows
    }

    static BenchReport.Reference reference() {
        return new BenchReport.Reference(3000, 1500, latencyMillis(50, 60));
    }

    static BenchReport.KafkaHop hop() {
        return new BenchReport.KafkaHop(524319, latencyMillis(10, 20));
    }

    /** 1770 tokens/s (59% of the reference), round trip p50 85 ms (the p50 bound exactly), p99 100 ms. */
    static BenchReport.Pipeline pipeline() {
        Map<String, LatencySummary> stages = new LinkedHashMap<>();
        stages.put("experts (last task to last result)", latencyMillis(40, 70));
        Map<String, Double> overHops = new LinkedHashMap<>();
        overHops.put("p50", 85.0 / 30);
        overHops.put("p99", 100.0 / 60);
        overHops.put("p99.9", 100.0 / 60);
        return new BenchReport.Pipeline(1770, 0.59, 1e-7, 180, latencyMillis(85, 100), overHops, stages,
                Map.of("kernel", 30.0));
    }

    static BenchReport report() {
        return new BenchReport("2026-11-23", new MachineInfo("Test CPU", 2, 23.5, "Test VM 17", "Linux"), SPEC,
                Map.of("expert-service:moe.blas.threads", "1"), kernel(), reference(), hop(), pipeline(),
                List.of(new BenchReport.ProcessFigures("expert-0", 1234, 1854, 7.3, 1.02, Map.of("expert-#-#", 5.93)),
                        new BenchReport.ProcessFigures("(other processes)", 0, 0, 0.5, 0.07, Map.of())),
                Targets.check(kernel(), reference(), hop(), pipeline()), null, null);
    }
}
