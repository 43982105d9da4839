package io.moestream.tools.replay;

import java.io.PrintWriter;

/**
 * One progress line per second: records and bytes sent out of the total, and how far behind the schedule the
 * replay runs (the latest record's lateness; it grows when the target or this machine cannot keep the pace).
 */
final class ReplayProgress {
    private static final long PERIOD_NANOS = 1_000_000_000L;

    private final PrintWriter out;
    private final int totalRecords;
    private final long startNanos = System.nanoTime();
    private long nextLineNanos = startNanos + PERIOD_NANOS;
    private long records;
    private long bytes;
    private long maxLagNanos;
    private long lastLagNanos;

    ReplayProgress(PrintWriter out, int totalRecords) {
        this.out = out;
        this.totalRecords = totalRecords;
    }

    void sent(ReplayRecord record, long lagNanos) {
        records++;
        bytes += record.sizeBytes();
        lastLagNanos = lagNanos;
        maxLagNanos = Math.max(maxLagNanos, lagNanos);
        long now = System.nanoTime();
        if (now >= nextLineNanos) {
            out.println(line(now));
            nextLineNanos = now + PERIOD_NANOS;
        }
    }

    /** The final line. */
    String summary() {
        return line(System.nanoTime()) + String.format(", max lag %.1f ms", maxLagNanos / 1e6);
    }

    private String line(long now) {
        return String.format("replay: %d/%d records, %.2f MiB, %.1f s, lag behind schedule %.1f ms",
                records, totalRecords, bytes / (1024.0 * 1024.0), (now - startNanos) / 1e9, lastLagNanos / 1e6);
    }
}
