package io.moestream.tools.stack;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Keeps a local stack running, as a Deployment's restart policy keeps pods running: a broker or service process that
 * exits without the stack stopping it is started again the same way ({@link LocalStack#restart}), after the backoff
 * of its {@link RestartPolicy}, with one line per event. Accepted work waits in Kafka meanwhile, so the streams in
 * flight complete once the process is back. It gives up, and says why, on a crash loop past the policy's limit and on
 * the death of the only broker (a one-broker stack has nowhere else to keep its topics).
 *
 * <p>Processes the stack stops on purpose (a re-placement's retired experts, Ctrl-C) are not restarted. Call
 * {@link #check} from the thread that also re-places, so the two never act on the stack at once.
 */
public final class Supervisor {
    private final LocalStack stack;
    private final RestartPolicy policy;
    private final RestartPolicy.History history;
    private final Consumer<String> log;

    public Supervisor(LocalStack stack, RestartPolicy policy, Consumer<String> log) {
        this.stack = stack;
        this.policy = policy;
        this.history = policy.history();
        this.log = log;
    }

    /**
     * Restarts every process that crashed since the last check, each once it is ready again; returns why the stack
     * must stop instead, if it must.
     */
    public Optional<String> check() throws InterruptedException {
        for (ChildProcess crashed : stack.crashed()) {
            String exit = crashed.name() + " exited (" + crashed.exitDescription() + ")";
            if (stack.isBroker(crashed) && stack.brokerCount() == 1) {
                return Optional.of(exit + ": the stack's only Kafka broker is gone, and its topics with it until it is"
                        + " back; stopping the stack (./moe up --brokers 3 survives the loss of a broker)\n"
                        + crashed.logTail(30));
            }
            RestartPolicy.Decision decision = history.onExit(crashed.name(), System.nanoTime());
            if (!decision.restart()) {
                return Optional.of(exit + " after " + decision.ordinal() + " restarts in " + policy.windowText()
                        + ": a crash loop, stopping the stack\n" + crashed.logTail(30));
            }
            log.accept(exit + "; restarting (" + ordinal(decision.ordinal()) + " restart in " + policy.windowText()
                    + (decision.backoff().isZero() ? "" : ", after " + decision.backoff().toSeconds() + " s backoff")
                    + ")");
            Thread.sleep(decision.backoff().toMillis());
            long restarting = System.nanoTime();
            try {
                ChildProcess back = stack.restart(crashed, log);
                log.accept(crashed.name() + " is back (pid " + back.pid() + ", ready "
                        + (System.nanoTime() - restarting) / 1_000_000 + " ms after its restart)");
            } catch (IllegalStateException failed) {
                // the next check finds the new process exited and counts it against the policy
                log.accept(crashed.name() + " failed to start again: " + failed.getMessage().lines().findFirst()
                        .orElse(""));
            }
        }
        return Optional.empty();
    }

    static String ordinal(int n) {
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }
}
