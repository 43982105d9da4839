package io.moestream.tools.bench;

import org.HdrHistogram.Histogram;

/** Percentiles of a latency histogram, in microseconds. */
public record LatencySummary(long samples, double p50Micros, double p99Micros, double p999Micros, double maxMicros,
                             double meanMicros) {

    /** A histogram of microseconds from 1 µs to 10 minutes with three significant digits. */
    public static Histogram newHistogram() {
        return new Histogram(1, 600_000_000L, 3);
    }

    public static LatencySummary of(Histogram micros) {
        return new LatencySummary(micros.getTotalCount(), micros.getValueAtPercentile(50),
                micros.getValueAtPercentile(99), micros.getValueAtPercentile(99.9), micros.getMaxValue(),
                micros.getMean());
    }

    /** Records one duration measured with {@link System#nanoTime()} into a histogram of microseconds. */
    public static void record(Histogram micros, long nanos) {
        micros.recordValue(Math.max(1, nanos / 1000));
    }
}
