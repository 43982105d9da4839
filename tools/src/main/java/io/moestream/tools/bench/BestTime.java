package io.moestream.tools.bench;

import java.time.Duration;

/**
 * Times an operation the way the limits are measured: warm up for a while, then run it repeatedly and keep the
 * fastest run. The fastest run is the machine's limit; slower runs are other processes or the JIT getting in.
 */
public final class BestTime {
    private static final Duration WARM_UP = Duration.ofMillis(300);
    private static final Duration MEASURE = Duration.ofSeconds(1);
    private static final int MIN_RUNS = 5;
    private static final int MAX_RUNS = 2000;

    private BestTime() {
    }

    /** The fastest of at least five runs, in nanoseconds, after about 0.3 s of warm-up. */
    public static long of(Runnable operation) {
        long warmUntil = System.nanoTime() + WARM_UP.toNanos();
        do {
            operation.run();
        } while (System.nanoTime() < warmUntil);
        long best = Long.MAX_VALUE;
        long measureUntil = System.nanoTime() + MEASURE.toNanos();
        for (int run = 0; run < MAX_RUNS && (run < MIN_RUNS || System.nanoTime() < measureUntil); run++) {
            long start = System.nanoTime();
            operation.run();
            best = Math.min(best, System.nanoTime() - start);
        }
        return best;
    }
}
