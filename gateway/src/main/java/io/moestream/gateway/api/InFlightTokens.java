package io.moestream.gateway.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway-wide count of tokens (chunk rows) the gateway holds, under a cap: taken from a client and not yet
 * handed to its transport as an answer, nor failed or dropped. Each of them holds an FP32 accumulator of d_model
 * floats until its chunk completes, then its answer until the client's transport is ready for it, so the cap is
 * what bounds the reassembly memory and the answers waiting for slow readers, however many streams are open; a chunk
 * that would pass it is refused, not queued.
 */
final class InFlightTokens {
    private final long cap;
    private final AtomicLong inFlight = new AtomicLong();

    /** {@code cap} is at least 1 ({@link StreamSettings} checks it). */
    InFlightTokens(long cap) {
        this.cap = cap;
    }

    /** Takes {@code rows} tokens from the budget; false (and nothing taken) when that would pass the cap. */
    boolean tryAcquire(int rows) {
        long now;
        do {
            now = inFlight.get();
            if (now + rows > cap) {
                return false;
            }
        } while (!inFlight.compareAndSet(now, now + rows));
        return true;
    }

    void release(int rows) {
        inFlight.addAndGet(-rows);
    }

    long current() {
        return inFlight.get();
    }

    long cap() {
        return cap;
    }
}
