package io.moestream.gateway.reassembly;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One timer task that ends overdue chunks. It runs at a tenth of the chunk deadline (between 10 ms and 1 s), so a
 * chunk fails at most that much after its deadline.
 */
public final class ExpirySweeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "gateway-deadlines");
        thread.setDaemon(true);
        return thread;
    });
    private final ReplyDispatcher dispatcher;
    private final long periodMillis;

    public ExpirySweeper(ReplyDispatcher dispatcher, Duration chunkDeadline) {
        this.dispatcher = dispatcher;
        this.periodMillis = Math.max(10, Math.min(1000, chunkDeadline.toMillis() / 10));
    }

    public void start() {
        timer.scheduleAtFixedRate(this::sweep, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        // An exception escaping a periodic task would cancel every later run: log it and keep the timer alive.
        try {
            dispatcher.expire(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.error("deadline sweep failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
