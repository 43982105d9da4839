package io.moestream.tools.pipeline;

import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.RestartPolicy;
import io.moestream.tools.stack.Supervisor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The supervision of {@code ./moe up} ({@link Supervisor}) for a stack a test started: a thread that checks the stack
 * as often as {@code up} does, keeps every line it logs, and stops at the first reason to stop the stack.
 */
final class SupervisorThread implements AutoCloseable {
    private final AtomicReference<Supervisor> supervisor = new AtomicReference<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> fatal = new AtomicReference<>();
    private final Thread thread;
    private final LocalStack stack;

    SupervisorThread(LocalStack stack, RestartPolicy policy) {
        this.stack = stack;
        use(policy);
        thread = new Thread(this::run, "test-supervisor");
        thread.setDaemon(true);
        thread.start();
    }

    /** From now on, restart by {@code policy}, its history empty. */
    void use(RestartPolicy policy) {
        supervisor.set(new Supervisor(stack, policy, line -> {
            System.out.println("supervisor: " + line);
            lines.add(line);
        }));
    }

    private void run() {
        try {
            while (fatal.get() == null) {
                supervisor.get().check().ifPresent(fatal::set);
                Thread.sleep(200);
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Why the supervisor would stop the stack, once it would. */
    String fatal() {
        return fatal.get();
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(30_000);
    }
}
