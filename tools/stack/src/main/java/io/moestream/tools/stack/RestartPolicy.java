package io.moestream.tools.stack;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * When the local stack restarts a process that exited, like a Kubernetes restart policy: the first restart at once,
 * each further one within the window after a doubling backoff, and none past {@code maxRestarts} within the window
 * (a crash loop, which restarting cannot fix). Counted per process name, so a restarted process keeps its history.
 *
 * @param maxRestarts restarts of one process allowed within {@code window}
 * @param window      how far back restarts count
 * @param maxBackoff  the longest wait before a restart
 */
public record RestartPolicy(int maxRestarts, Duration window, Duration maxBackoff) {
    /** What {@code ./moe up} uses: 5 restarts in 10 minutes, backoff 1 s, 2 s, 4 s, 8 s after the first. */
    public static final RestartPolicy DEFAULT = new RestartPolicy(5, Duration.ofMinutes(10), Duration.ofSeconds(30));

    /** The decision for one exit: restart after {@code backoff} as restart number {@code ordinal}, or give up. */
    public record Decision(boolean restart, int ordinal, Duration backoff) {
    }

    /** The restart times of each process; one per policy user, not thread-safe. */
    public final class History {
        private final Map<String, Deque<Long>> restarts = new HashMap<>();

        /** Decides on an exit of {@code name} at {@code nowNanos} (System.nanoTime) and records the restart it allows. */
        public Decision onExit(String name, long nowNanos) {
            Deque<Long> times = restarts.computeIfAbsent(name, n -> new ArrayDeque<>());
            while (!times.isEmpty() && nowNanos - times.peekFirst() > window.toNanos()) {
                times.removeFirst();
            }
            if (times.size() >= maxRestarts) {
                return new Decision(false, times.size(), Duration.ZERO);
            }
            Duration doubling = Duration.ofSeconds(1L << Math.min(times.size() - 1, 20));
            Duration backoff = times.isEmpty() ? Duration.ZERO
                    : doubling.compareTo(maxBackoff) > 0 ? maxBackoff : doubling;
            times.addLast(nowNanos);
            return new Decision(true, times.size(), backoff);
        }
    }

    public History history() {
        return new History();
    }

    /** {@code 10 min}, {@code 30 s}: the window as the log lines say it. */
    public String windowText() {
        return window.toSeconds() % 60 == 0 ? window.toMinutes() + " min" : window.toSeconds() + " s";
    }
}
