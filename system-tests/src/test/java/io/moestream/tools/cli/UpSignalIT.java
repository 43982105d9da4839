package io.moestream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ./moe up} stopped with SIGTERM while it is still starting: every process it started (the broker included) is
 * gone soon after, it says so in one line, and its working directory is deleted. Every descendant of the {@code up}
 * process seen from its start until it exits is collected (with {@link ProcessHandle#descendants()}), so a process
 * started after the signal counts too. And {@code ./moe up} killed with SIGKILL once ready: its children stop on their
 * own (the exit-with-parent main class they run under), since nothing of {@code up} runs any more to stop them.
 */
class UpSignalIT {
    private static final Pattern WORK_DIR = Pattern.compile("\\) in (\\S+moe-stack-\\S+)$");
    /** {@code up} stops its children one after the other, each within 20 s; here none should need more than a few. */
    private static final Duration ALL_GONE = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @ParameterizedTest(name = "SIGTERM after \"{0}\"")
    @CsvSource({"Kafka broker ready, 1", "router ready, 4"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSigtermBeforeReadyStopsEveryProcessUpStarted(String point, int startedAtLeast) throws Exception {
        Path model = work.resolve("model");
        ModelGenerator.generate(model, new ModelSpec(1, 4, 2, 32, 48, 13));
        Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
        List<String> lines = new CopyOnWriteArrayList<>();
        Process up = startUp(model);
        Thread reader = readInBackground(up, lines);
        try {
            // given ./moe up that got as far as the point, and not to READY
            await("moe up printing '" + point + "' (output: " + lines + ")").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        up.descendants().forEach(seen::add);
                        return lines.stream().anyMatch(line -> line.contains(point)) || !up.isAlive();
                    });
            up.descendants().forEach(seen::add);
            assertThat(up.isAlive()).as("moe up still running; output: " + lines).isTrue();
            assertThat(lines).noneMatch(line -> line.startsWith("READY"));
            assertThat(seen.stream().filter(ProcessHandle::isAlive).count()).as("processes up started: " + seen)
                    .isGreaterThanOrEqualTo(startedAtLeast);

            // when it gets SIGTERM (through its handle: Process.destroy would also close its output before the end)
            assertThat(up.toHandle().destroy()).as("SIGTERM sent").isTrue();

            // then it exits, and every process it ever started is gone
            await("moe up exiting (output: " + lines + ")").atMost(ALL_GONE).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        up.descendants().forEach(seen::add);
                        return !up.isAlive();
                    });
            await("every process moe up started gone: " + seen).atMost(Duration.ofSeconds(10))
                    .until(() -> seen.stream().noneMatch(ProcessHandle::isAlive));
            reader.join(10_000);
            assertThat(lines).as("its output").filteredOn(line -> line.startsWith("stopping the stack before it was"
                    + " ready: ")).hasSize(1);
            assertThat(lines).noneMatch(line -> line.startsWith("READY") || line.startsWith("moe up:"));
            Path workDir = lines.stream().map(WORK_DIR::matcher).filter(Matcher::find).map(m -> Path.of(m.group(1)))
                    .findFirst().orElseThrow(() -> new AssertionError("no working directory in " + lines));
            assertThat(workDir).as("the stack's working directory").doesNotExist();
        } finally {
            up.destroyForcibly();
            // only processes this test's ./moe up started
            seen.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSigkillOfUpEndsEveryProcessItStarted() throws Exception {
        Path model = work.resolve("model");
        ModelGenerator.generate(model, new ModelSpec(1, 4, 2, 32, 48, 13));
        List<String> lines = new CopyOnWriteArrayList<>();
        Process up = startUp(model);
        readInBackground(up, lines);
        Set<ProcessHandle> started = ConcurrentHashMap.newKeySet();
        try {
            // given ./moe up ready, with its broker and services
            await("moe up READY (output: " + lines + ")").atMost(Duration.ofMinutes(3))
                    .until(() -> lines.stream().anyMatch(line -> line.startsWith("READY")) || !up.isAlive());
            up.descendants().forEach(started::add);
            assertThat(started.stream().filter(ProcessHandle::isAlive).count()).as("processes up started: " + started)
                    .isGreaterThanOrEqualTo(4);

            // when it is killed with SIGKILL, which no shutdown hook of its own can handle
            up.destroyForcibly();
            up.waitFor();

            // then every process it started stops on its own: its standard input, a pipe from up, has ended
            await("every process moe up started gone: " + started).atMost(ALL_GONE)
                    .until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            // up could not delete its working directory
            lines.stream().map(WORK_DIR::matcher).filter(Matcher::find).map(m -> Path.of(m.group(1))).findFirst()
                    .ifPresent(LocalStack::deleteRecursively);
        }
    }

    private static Process startUp(Path model) throws IOException {
        Path moe = MoeHome.locate().root().resolve("moe");
        return new ProcessBuilder(moe.toString(), "up", "--model", model.toString(), "--gateway-port", "0")
                .redirectErrorStream(true).start();
    }

    /** A daemon thread that reads {@code up}'s output into {@code lines} until it ends. */
    private static Thread readInBackground(Process up, List<String> lines) {
        Thread reader = new Thread(() -> read(up, lines), "moe-up-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static void read(Process up, List<String> lines) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                System.out.println("[moe up] " + line);
                lines.add(line.strip());
            }
        } catch (IOException closed) {
            // the test ended and closed the output: nothing more to read
        }
    }
}
