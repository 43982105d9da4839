package io.moestream.tools.bench;

import java.util.ArrayList;
import java.util.List;

/** The targets, as ratios of figures from the same run, checked against a report's figures. */
public final class Targets {
    /** The expert kernel must reach this share of sgemm at micro-batches of at least {@link #KERNEL_MIN_ROWS} rows. */
    static final double KERNEL_SHARE = 0.85;
    static final int KERNEL_MIN_ROWS = 64;
    /** The pipeline must reach this share of the in-process reference layer's throughput. */
    static final double PIPELINE_SHARE = 0.60;
    static final double P50_HOPS = 3.5;
    static final double P99_HOPS = 4.0;

    /** One target: what was measured, the bound it must not cross, and whether it held. */
    public record Check(String target, double measured, double bound, boolean met) {
    }

    private Targets() {
    }

    static List<Check> check(List<KernelLimits.Point> kernel, BenchReport.Reference reference,
                             BenchReport.KafkaHop hop, BenchReport.Pipeline pipeline) {
        List<Check> checks = new ArrayList<>();
        kernel.stream().filter(p -> p.rows() >= KERNEL_MIN_ROWS).mapToDouble(KernelLimits.Point::kernelToSgemm).min()
                .ifPresent(worst -> checks.add(atLeast("expert kernel / sgemm GFLOP/s at >= " + KERNEL_MIN_ROWS
                        + " rows (worst)", worst, KERNEL_SHARE)));
        checks.add(atLeast("pipeline / reference tokens/s", pipeline.ratioToReference(), PIPELINE_SHARE));
        double hopP50 = hop.latency().p50Micros() / 1000;
        double hopP99 = hop.latency().p99Micros() / 1000;
        double computeP50 = reference.chunkCompute().p50Micros() / 1000;
        double computeP99 = reference.chunkCompute().p99Micros() / 1000;
        checks.add(atMost("round trip p50 ms <= 3.5 x hop p50 + compute p50", pipeline.roundTrip().p50Micros() / 1000,
                P50_HOPS * hopP50 + computeP50));
        checks.add(atMost("round trip p99 ms <= 4 x hop p99 (as written)", pipeline.roundTrip().p99Micros() / 1000,
                P99_HOPS * hopP99));
        checks.add(atMost("round trip p99 ms <= 4 x hop p99 + compute p99", pipeline.roundTrip().p99Micros() / 1000,
                P99_HOPS * hopP99 + computeP99));
        return checks;
    }

    private static Check atLeast(String target, double measured, double bound) {
        return new Check(target, measured, bound, measured >= bound);
    }

    private static Check atMost(String target, double measured, double bound) {
        return new Check(target, measured, bound, measured <= bound);
    }
}
