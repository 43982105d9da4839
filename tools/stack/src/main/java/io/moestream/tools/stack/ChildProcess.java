package io.moestream.tools.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the local stack (a service JVM, the broker, Prometheus, Alertmanager) with its output in a log
 * file. Stopping sends SIGTERM first so that services shut down cleanly, and kills only what does not stop in time.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /**
     * Every process started in this JVM that may still run, in start order: what {@link #stopAll} stops. Guarded by
     * itself, as is {@link #refusing}.
     */
    private static final List<ChildProcess> STARTED = new ArrayList<>();
    /** Set by {@link #stopAll}: from then on nothing starts. */
    private static boolean refusing;

    private final String name;
    private final Process process;
    private final Path log;
    /** Set when the stack stops the process on purpose: its exit is then no crash, and a supervisor leaves it be. */
    private volatile boolean stopping;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java <jvmArgs...>} with stdout and stderr appended to {@code log}. */
    public static ChildProcess startJava(String name, List<String> jvmArgs, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        // oneDNN's OpenMP (the BF16 experts) runs one thread per call, as moe.blas.threads=1 does OpenBLAS
        return start(name, command, log, Map.of("OMP_NUM_THREADS", "1"));
    }

    /** Starts {@code command} (any program, such as Prometheus) with stdout and stderr appended to {@code log}. */
    public static ChildProcess start(String name, List<String> command, Path log) {
        return start(name, command, log, Map.of());
    }

    /** As above, with {@code environment} added to the inherited environment unless that already sets them. */
    private static ChildProcess start(String name, List<String> command, Path log, Map<String, String> environment) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            environment.forEach(builder.environment()::putIfAbsent);
            // Standard input stays a pipe from this JVM, never written to nor closed: the kernel closes it when this
            // JVM dies, SIGKILL included, and the exit-with-parent main class of the stack's JVMs then stops them.
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            synchronized (STARTED) {
                if (refusing) {
                    throw new IllegalStateException(name + " not started: every child process is being stopped");
                }
                ChildProcess child = new ChildProcess(name, builder.start(), log);
                STARTED.removeIf(p -> !p.isAlive());
                STARTED.add(child);
                return child;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * Stops every process started in this JVM that still runs, the last started first, and refuses to start any more
     * from now on: {@code ./moe up}'s SIGTERM or Ctrl-C at any moment, also while the stack is still starting and no
     * stack object holds all of them yet. Returns the names of those it stopped.
     */
    public static List<String> stopAll() {
        List<ChildProcess> running;
        synchronized (STARTED) {
            refusing = true;
            running = STARTED.stream().filter(ChildProcess::isAlive).toList();
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        return running.stream().map(ChildProcess::name).toList();
    }

    /** The names of the processes started in this JVM that run now, in start order. */
    public static List<String> running() {
        synchronized (STARTED) {
            return STARTED.stream().filter(ChildProcess::isAlive).map(ChildProcess::name).toList();
        }
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Exited without being stopped on purpose: a crash, a kill from outside, or a failed start. */
    public boolean crashed() {
        return !stopping && !process.isAlive();
    }

    /** How the process ended, e.g. {@code exit code 1} or {@code signal 9} (the JVM reports a signal as 128 + its number). */
    public String exitDescription() {
        int code = process.exitValue();
        return code > 128 ? "signal " + (code - 128) : "exit code " + code;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Waits for the process to exit and returns its exit code, or fails with the log's tail. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish within " + timeout + "\n" + logTail(30));
        }
        return process.exitValue();
    }

    /** The last {@code lines} lines of the process log, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, for tests of crashes. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Asks the process to stop (SIGTERM) without waiting; {@link #close} then waits for it. */
    public void stop() {
        stopping = true;
        process.destroy();
    }

    @Override
    public void close() {
        stopping = true;
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
