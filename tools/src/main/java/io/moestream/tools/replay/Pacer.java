package io.moestream.tools.replay;

/**
 * Keeps the recorded inter-arrival times, divided by a speed factor: record i is due {@code (t_i - t_0) / speed}
 * after the first was sent. Waiting for absolute due times (not for the gap since the previous send) keeps a slow
 * send from shifting every later record. An infinite speed sends at once.
 */
final class Pacer {
    private final double speed;
    private long firstTimestamp;
    private long startNanos;
    private boolean started;

    Pacer(double speed) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive, or max; got " + speed);
        }
        this.speed = speed;
    }

    static Pacer parse(String speed) {
        if (speed.equals("max")) {
            return new Pacer(Double.POSITIVE_INFINITY);
        }
        try {
            return new Pacer(Double.parseDouble(speed));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--speed must be a positive number (1 = recorded pace) or max; got '"
                    + speed + "'");
        }
    }

    /** Waits until the record recorded at {@code timestamp} is due; returns how late it is then, in nanoseconds. */
    long awaitDue(long timestamp) throws InterruptedException {
        long now = System.nanoTime();
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
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            return Math.max(0, System.nanoTime() - due);
        }
        return -wait;
    }
}
