package io.moestream.tools.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the local stack (a service JVM, the broker, Prometheus, Alertmanager) with its output in a log
 * file. Stopping sends SIGTERM first so that services shut down cleanly, and kills only what does not stop in time.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

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
        List<String> command = new java.util.ArrayList<>();
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
            Process process = builder
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new ChildProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
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
