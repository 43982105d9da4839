package io.moestream.tools.pipeline;

import java.util.List;

/**
 * How a stream came through a crash, from when its results arrived at the client: the recovery time runs from the
 * kill to the result that ended the longest pause after it (the stream making progress again); the throughput lost
 * is how much longer the stream took than the same stream without a fault on the same stack just before.
 *
 * @param recoveryMillis  kill to the first result after the longest pause
 * @param streamSeconds   the stream with the kill, first chunk sent to last result
 * @param baselineSeconds the same stream without a fault
 */
record Recovery(long recoveryMillis, double streamSeconds, double baselineSeconds) {
    /** Pauses that start this long after the kill are not its doing. */
    static final long SEARCH_NANOS = 90_000_000_000L;

    static Recovery of(List<Long> arrivals, long startNanos, long killNanos, long endNanos, double baselineSeconds) {
        long previous = killNanos;
        long longestGap = -1;
        long resumed = killNanos;
        for (long t : arrivals) {
            if (t <= killNanos) {
                continue;
            }
            if (t - killNanos < SEARCH_NANOS && t - previous > longestGap) {
                longestGap = t - previous;
                resumed = t;
            }
            previous = t;
        }
        return new Recovery((resumed - killNanos) / 1_000_000, (endNanos - startNanos) / 1e9, baselineSeconds);
    }

    /** Seconds of the stream's full-speed output the fault cost. */
    double lostSeconds() {
        return streamSeconds - baselineSeconds;
    }

    String line(String scenario, int chunks, int lostChunks) {
        return String.format("RECOVERY %s: progress again %d ms after the kill; stream %.1f s against %.1f s without a"
                + " fault: throughput lost %.1f s (%.0f%%); %d of %d chunks lost", scenario, recoveryMillis,
                streamSeconds, baselineSeconds, lostSeconds(), 100 * lostSeconds() / streamSeconds, lostChunks, chunks);
    }
}
