package io.moestream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.MoeCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The child processes of the interop tests: numpy, {@code ./moe up} and {@code ./moe infer}. */
final class InteropProcesses {
    private static final Pattern READY = Pattern.compile("^READY gateway=(\\S+):(\\d+)");

    private InteropProcesses() {
    }

    /**
     * The {@code ./moe up} command {@code up} on its embedded broker ({@code broker} "embedded"), or else on {@code kafka}
     * under the topic prefix {@code name.}, so that the cases of a class can share one broker.
     */
    static List<String> withBroker(List<String> up, String broker, TestKafkaCluster kafka, String name) {
        if (broker.equals("embedded")) {
            return up;
        }
        List<String> command = new ArrayList<>(up);
        command.addAll(List.of("--bootstrap", kafka.bootstrapServers(), "--topic-prefix", name + "."));
        return command;
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

    static Matcher awaitReadyLine(BufferedReader out) throws IOException {
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

    /**
     * Stops {@code ./moe up} however the test ended: SIGTERM first, so that it stops the processes it started (a
     * SIGKILL would leave them running), and SIGKILL only if it does not exit within a minute.
     */
    static void stop(Process up) throws InterruptedException {
        up.destroy();
        if (!up.waitFor(60, TimeUnit.SECONDS)) {
            up.destroyForcibly();
        }
    }

    static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
