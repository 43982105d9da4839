package io.moestream.tools.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts one moe-stream service jar as a child process and waits until its readiness check
 * ({@code /q/health/ready}) answers UP, so that callers only see services that can do their job.
 */
final class ServiceLauncher {
    /** Long enough for a process that loads thousands of experts; progress shows meanwhile. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(600);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Pattern LOADED = Pattern.compile("\"loaded\"\\s*:\\s*\"(\\d+)/(\\d+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final MoeHome home;
    private final Path logDir;
    private final Map<String, Program> programs = new ConcurrentHashMap<>();

    ServiceLauncher(MoeHome home, Path logDir) {
        this.home = home;
        this.logDir = logDir;
    }

    /** A started service: its process, the HTTP port of its health and metrics endpoints, and how it started. */
    record Service(ChildProcess process, int httpPort, StartupArchive.Start start) {
    }

    /** A service module's jar, the main class its manifest names (Quarkus's runner) and its startup archive. */
    private record Program(Path jar, String mainClass, StartupArchive archive) {
        static Program of(String module, Path jar, MoeHome home) {
            return new Program(jar, manifestMainClass(jar), StartupArchive.of(module,
                    List.of(jar.getParent(), home.exitWithParentJar()), jar.getParent().resolveSibling("startup-archive")));
        }
    }

    Service start(String name, String module, Map<String, String> properties, List<String> jvmOptions) {
        int httpPort = FreePorts.next();
        Map<String, String> all = new TreeMap<>(properties);
        all.put("quarkus.http.port", Integer.toString(httpPort));
        Program program = programs.computeIfAbsent(module, m -> Program.of(m, home.serviceJar(m), home));
        StartupArchive.Start start = program.archive().nextStart();
        List<String> args = new ArrayList<>(start.jvmOptions());
        args.addAll(jvmOptions);
        all.forEach((key, value) -> args.add("-D" + key + "=" + value));
        args.addAll(home.exitWithParent(program.jar().toString(), program.mainClass()));
        return new Service(ChildProcess.startJava(name, args, logDir.resolve(name + ".log")), httpPort, start);
    }

    /** The main class that the manifest of a service jar names: Quarkus's runner. */
    private static String manifestMainClass(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + jar, e);
        }
    }

    /**
     * Waits for readiness; tells {@code progress} how many experts a loading expert process has loaded, every few
     * seconds, and, when this start writes its module's startup archive, how that went.
     */
    void awaitReady(Service service, Consumer<String> progress) throws InterruptedException {
        URI health = URI.create("http://127.0.0.1:" + service.httpPort() + "/q/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        String lastLoaded = "";
        while (true) {
            ChildProcess process = service.process();
            if (!process.isAlive()) {
                throw new ServiceStartFailure(process);
            }
            Optional<HttpResponse<String>> response = get(health);
            if (response.isPresent() && response.get().statusCode() == 200) {
                service.start().afterReady(process).ifPresent(progress);
                return;
            }
            Matcher loaded = LOADED.matcher(response.map(HttpResponse::body).orElse(""));
            if (loaded.find() && System.nanoTime() > nextProgress && !loaded.group().equals(lastLoaded)
                    && !loaded.group(2).equals("0")) {
                progress.accept(process.name() + ": experts loaded " + loaded.group(1) + "/" + loaded.group(2));
                lastLoaded = loaded.group();
                nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(process.name() + " was not ready within " + READY_TIMEOUT
                        + " (" + health + "):\n" + process.logTail(40));
            }
            Thread.sleep(200);
        }
    }

    private static Optional<HttpResponse<String>> get(URI health) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET().build();
            return Optional.of(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException notListeningYet) {
            return Optional.empty();
        }
    }
}
