package io.moestream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.MoeCli;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** The child processes of the interop tests: numpy, {@code ./moe up} (or its stack) and {@code ./moe infer}. */
final class InteropProcesses {
    private static final Pattern READY = Pattern.compile("^READY gateway=(\\S+):(\\d+)");

    private InteropProcesses() {
    }

    /**
     * {@code ./moe up} with {@code args}, served until closed. In the case on the embedded broker ({@code broker}
     * "embedded") it is the user's whole path: {@code ./moe up} as its own process. In the others the same command line
     * is parsed in this JVM and its stack started here on {@code kafka}, under the topic prefix {@code name.}, so that
     * the cases of a class share one broker and start one JVM less each; the router, experts and gateway are processes
     * either way.
     */
    static Served up(Path moe, List<String> args, String broker, TestKafkaCluster kafka, String name) throws Exception {
        if (broker.equals("embedded")) {
            List<String> command = new ArrayList<>(List.of(moe.toString(), "up"));
            command.addAll(args);
            return UpProcess.start(command);
        }
        List<String> command = new ArrayList<>(List.of("up"));
        command.addAll(args);
        command.addAll(List.of("--bootstrap", kafka.bootstrapServers(), "--topic-prefix", name + "."));
        CommandLine.ParseResult parsed = MoeCli.commandLine().parseArgs(command.toArray(String[]::new));
        UpCommand up = (UpCommand) parsed.subcommand().commandSpec().userObject();
        return new StackInThisJvm(LocalStack.start(MoeHome.locate(), up.stackOptions(),
                line -> System.out.println("[stack] " + line)));
    }

    /** A model served by {@link #up}. */
    interface Served extends AutoCloseable {
        /** The gateway's host:port. */
        String gateway();

        /** Stops it as its user does: {@code ./moe up} must exit on SIGTERM and its gateway's port close. */
        void stopAsAUserDoes() throws InterruptedException;

        /** Stops it however the test ended. */
        @Override
        void close() throws InterruptedException;
    }

    private record UpProcess(Process process, String host, int port) implements Served {
        static UpProcess start(List<String> command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                Matcher ready = awaitReadyLine(out);
                CompletableFuture.runAsync(() -> out.lines().forEach(line -> System.out.println("[moe up] " + line)));
                return new UpProcess(process, ready.group(1), Integer.parseInt(ready.group(2)));
            } catch (IOException | RuntimeException | Error e) {
                stop(process);
                throw e;
            }
        }

        @Override
        public String gateway() {
            return host + ":" + port;
        }

        @Override
        public void stopAsAUserDoes() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("moe up exits on SIGTERM").isTrue();
            assertThat(accepts(host, port)).as("gateway port closed").isFalse();
        }

        /** SIGTERM first, so that {@code ./moe up} stops the processes it started (a SIGKILL would leave them running). */
        @Override
        public void close() throws InterruptedException {
            stop(process);
        }
    }

    /** A stack started in this JVM; closing it again (after the test stopped it) finds nothing left to stop. */
    private record StackInThisJvm(LocalStack stack) implements Served {
        @Override
        public String gateway() {
            return stack.gatewayAddress();
        }

        @Override
        public void stopAsAUserDoes() {
            stack.close();
        }

        @Override
        public void close() {
            stack.close();
        }
    }

    /**
     * {@code ./moe infer} with {@code args}: as its own process in the case on the embedded broker ({@code broker}
     * "embedded"), the user's whole path, and in the others through the same command line in this JVM, a JVM start
     * less per layer.
     */
    static void infer(Path moe, String broker, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("infer"));
        command.addAll(args);
        if (broker.equals("embedded")) {
            command.add(0, moe.toString());
            run(command, 120);
            return;
        }
        StringWriter err = new StringWriter();
        int exit = MoeCli.commandLine().setErr(new PrintWriter(err, true)).execute(command.toArray(String[]::new));
        assertThat(exit).as(command + " exit code; error output:\n" + err).isZero();
    }

    private static Matcher awaitReadyLine(BufferedReader out) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            System.out.println("[moe up] " + line);
            Matcher m = READY.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        throw new AssertionError("moe up ended without a READY line");
    }

    static void run(List<String> command, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as(command + " finished").isTrue();
        System.out.print(output);
        assertThat(p.exitValue()).as(command + " exit code; output:\n" + output).isZero();
    }

    static String runExpectingFailure(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(command + " finished").isTrue();
        System.out.print(output);
        assertThat(p.exitValue()).as(command + " exit code; output:\n" + output).isNotZero();
        return output;
    }

    static String pythonWithNumpy() throws InterruptedException {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException notInstalled) {
                // try the next interpreter
            }
        }
        return null;
    }

    /** SIGTERM, and SIGKILL only if it does not exit within a minute. */
    private static void stop(Process up) throws InterruptedException {
        up.destroy();
        if (!up.waitFor(60, TimeUnit.SECONDS)) {
            up.destroyForcibly();
        }
    }

    private static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
