package io.moestream.tools.replay;

/**
 * Keeps the recorded inter-arrival times, divided by a speed factor: record i is due {@code (t_i - t_0) / speed}
 * after the first was sent. Waiting for absolute due times (not for the gap since the previous send) keeps a slow
 * send from shifting every later record. An infinite speed sends at once.
 */
final class Pacer {
    /** Time as the pacer sees it: the JVM's monotonic clock and sleep, or a manual clock in tests. */
    interface Clock {
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
            }
        };

        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double speed;
    private final Clock clock;
    private long firstTimestamp;
    private long startNanos;
    private boolean started;

    Pacer(double speed, Clock clock) {
        this.clock = clock;
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive, or max; got " + speed);
        }
        this.speed = speed;
    }

    static Pacer parse(String speed) {
        return parse(speed, Clock.SYSTEM);
    }

    static Pacer parse(String speed, Clock clock) {
        if (speed.equals("max")) {
            return new Pacer(Double.POSITIVE_INFINITY, clock);
        }
        try {
            return new Pacer(Double.parseDouble(speed), clock);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--speed must be a positive number (1 = recorded pace) or max; got '"
                    + speed + "'");
        }
    }

    /** Waits until the record recorded at {@code timestamp} is due; returns how late it is then, in nanoseconds. */
    long awaitDue(long timestamp) throws InterruptedException {
        long now = clock.nanoTime();
        if (!started) {
            started = true;
            firstTimestamp = timestamp;
            startNanos = now;
            return 0;
        }
        if (Double.isInfinite(speed)) {
            return 0;
        }
        long due = startNanos + (long) (Math.max(0, timestamp - firstTimestamp) * 1_000_000L / speed);
        long wait = due - now;
        if (wait > 0) {
            clock.sleepNanos(wait);
            return Math.max(0, clock.nanoTime() - due);
        }
        return -wait;
    }
}
