package io.moestream.tools.bench;

import java.time.Duration;

/**
 * Times operations the way the limits are measured: warm up for a while, then run them repeatedly and keep the
 * fastest run of each. The fastest run is the machine's limit; slower runs are other processes or the JIT getting in.
 */
public final class BestTime {
    private static final Duration WARM_UP = Duration.ofMillis(300);
    private static final Duration MEASURE = Duration.ofSeconds(1);
    private static final int MIN_RUNS = 5;
    private static final int MAX_RUNS = 2000;

    private BestTime() {
    }

    /** The fastest run of each of two operations, in nanoseconds, timed in turns (see {@link #ofPair}). */
    public record Pair(long first, long second) {
    }

    /**
     * The fastest of at least five runs of each operation, in nanoseconds, after about 0.3 s of warm-up, the two
     * timed in turns: on a shared machine, a ratio of two operations timed one after the other compares two different
     * moments of the machine's load; in turns, both see the same moments.
     */
    public static Pair ofPair(Runnable first, Runnable second) {
        long[] best = inTurns(first, second);
        return new Pair(best[0], best[1]);
    }

    /** The fastest run of each operation, in nanoseconds, all timed in turns as {@link #ofPair} times two. */
    public static long[] inTurns(Runnable... operations) {
        long warmUntil = System.nanoTime() + WARM_UP.toNanos();
        do {
            for (Runnable operation : operations) {
                operation.run();
            }
        } while (System.nanoTime() < warmUntil);
        long[] best = new long[operations.length];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        long measureUntil = System.nanoTime() + operations.length * MEASURE.toNanos();
        for (int run = 0; run < MAX_RUNS && (run < MIN_RUNS || System.nanoTime() < measureUntil); run++) {
            for (int i = 0; i < operations.length; i++) {
                best[i] = Math.min(best[i], time(operations[i]));
            }
        }
        return best;
    }

    private static long time(Runnable operation) {
        long start = System.nanoTime();
        operation.run();
        return System.nanoTime() - start;
    }
}
