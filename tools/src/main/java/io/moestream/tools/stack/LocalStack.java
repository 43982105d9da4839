package io.moestream.tools.stack;

import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeConfig;
import io.moestream.core.model.MoeModel;
import io.moestream.core.topics.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The whole pipeline on this machine, as separate processes: an embedded Kafka broker (unless an existing
 * cluster is given), the router, the expert service(s) and the gateway, started from the same jars that
 * production runs. Closing it stops every process it started and deletes its working directory.
 */
public final class LocalStack implements AutoCloseable {
    /**
     * Settings for running every process on one machine. The expert service runs one thread per expert and the
     * router one per stream thread: each kernel call on a single OpenBLAS thread is what shares the cores between
     * them; OpenBLAS' own thread pool, entered by several threads at once, serializes them and spins instead.
     */
    static final Map<String, Map<String, String>> SERVICE_DEFAULTS = Map.of(
            "expert-service", Map.of("moe.blas.threads", "1"),
            "router-service", Map.of("moe.blas.threads", "1"));

    private final Path workDir;
    private final EmbeddedKafkaBroker broker;
    private final String bootstrap;
    private final ServiceLauncher launcher;
    private final List<ChildProcess> services = new ArrayList<>();
    private final Map<String, Integer> httpPorts = new HashMap<>();
    private final Map<String, String> commonProperties;
    private int gatewayPort;

    private LocalStack(Path workDir, EmbeddedKafkaBroker broker, String bootstrap, ServiceLauncher launcher,
                       Map<String, String> commonProperties) {
        this.workDir = workDir;
        this.broker = broker;
        this.bootstrap = bootstrap;
        this.launcher = launcher;
        this.commonProperties = commonProperties;
    }

    public static LocalStack start(MoeHome home, StackOptions options, Consumer<String> progress)
            throws IOException, InterruptedException {
        Path workDir = Files.createTempDirectory("moe-stack-");
        EmbeddedKafkaBroker broker = null;
        LocalStack stack = null;
        try {
            String bootstrap = options.bootstrap();
            if (bootstrap == null) {
                progress.accept("starting the embedded Kafka broker (KRaft) in " + workDir);
                broker = EmbeddedKafkaBroker.start(home, workDir);
                bootstrap = broker.bootstrapServers();
                progress.accept("Kafka broker ready at " + bootstrap);
            }
            Map<String, String> common = new HashMap<>(options.extraProperties());
            common.put("kafka.bootstrap.servers", bootstrap);
            common.put("moe.model.dir", options.modelDir().toAbsolutePath().toString());
            if (!options.topics().prefix().isEmpty()) {
                common.put("moe.topic-prefix", options.topics().prefix());
            }
            stack = new LocalStack(workDir, broker, bootstrap, new ServiceLauncher(home, workDir.resolve("logs")), common);
            stack.startPipeline(options, progress);
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (stack != null) {
                stack.close();
            } else {
                if (broker != null) {
                    broker.close();
                }
                deleteRecursively(workDir);
            }
            throw e;
        }
    }

    private void startPipeline(StackOptions options, Consumer<String> progress) throws InterruptedException {
        MoeConfig config;
        SortedSet<Integer> layers;
        try (MoeModel model = MoeModel.open(options.modelDir())) {
            config = model.config();
            layers = LayerSelection.parse(options.layerSpec(), model.moeLayers());
        }
        List<String> created = TopicProvisioner.createAll(bootstrap, options.topics(), layers, config.servedExperts(),
                1, options.expertPartitions());
        progress.accept("topics ready (" + created.size() + " created) for layers " + layers + ", "
                + config.servedExperts() + " experts each");

        List<ServiceLauncher.Service> starting = new ArrayList<>();
        starting.add(launch("router", "router-service", Map.of()));
        List<String> assignments = expertAssignments(layers, config.servedExperts(), options.expertProcesses());
        for (int i = 0; i < assignments.size(); i++) {
            starting.add(launch("expert-" + i, "expert-service", Map.of("moe.expert.experts", assignments.get(i))));
        }
        gatewayPort = options.gatewayPort() > 0 ? options.gatewayPort() : FreePorts.next();
        starting.add(launch("gateway", "gateway", Map.of("quarkus.grpc.server.port", Integer.toString(gatewayPort))));
        for (ServiceLauncher.Service service : starting) {
            launcher.awaitReady(service);
            progress.accept(service.process().name() + " ready (pid " + service.process().pid()
                    + ", health http://127.0.0.1:" + service.httpPort() + "/q/health)");
        }
    }

    /** Starts one more service process against this stack's broker and model, and waits until it is ready. */
    public ChildProcess startService(String name, String module, Map<String, String> properties)
            throws InterruptedException {
        ServiceLauncher.Service service = launch(name, module, properties);
        launcher.awaitReady(service);
        return service.process();
    }

    private ServiceLauncher.Service launch(String name, String module, Map<String, String> properties) {
        Map<String, String> all = propertiesFor(module, commonProperties);
        all.putAll(properties);
        ServiceLauncher.Service service = launcher.start(name, module, all);
        services.add(service.process());
        httpPorts.put(name, service.httpPort());
        return service;
    }

    /**
     * The properties for one module: its {@link #SERVICE_DEFAULTS}, then the unqualified properties, then those
     * written {@code <module>:<key>} for it, each overriding the one before.
     */
    static Map<String, String> propertiesFor(String module, Map<String, String> properties) {
        Map<String, String> selected = new HashMap<>(SERVICE_DEFAULTS.getOrDefault(module, Map.of()));
        properties.forEach((key, value) -> {
            if (key.indexOf(':') < 0) {
                selected.put(key, value);
            }
        });
        String prefix = module + ":";
        properties.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                selected.put(key.substring(prefix.length()), value);
            }
        });
        return selected;
    }

    /** Splits the (layer, expert) pairs round robin over {@code processes} expert-service processes. */
    static List<String> expertAssignments(SortedSet<Integer> layers, int experts, int processes) {
        if (processes <= 1) {
            return List.of("all");
        }
        List<List<String>> perProcess = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            perProcess.add(new ArrayList<>());
        }
        int next = 0;
        for (int layer : layers) {
            for (int e = 0; e < experts; e++) {
                perProcess.get(next++ % processes).add(layer + ":" + e);
            }
        }
        return perProcess.stream().filter(list -> !list.isEmpty()).map(list -> String.join(",", list)).toList();
    }

    /** A service or the broker that is no longer running, if any: the stack is then broken. */
    public java.util.Optional<ChildProcess> firstExited() {
        return services.stream().filter(p -> !p.isAlive()).findFirst();
    }

    /** Copies the processes' logs to {@code target} (the working directory is deleted on close). */
    public void copyLogsTo(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> logs = Files.list(logDir())) {
            for (Path log : (Iterable<Path>) logs::iterator) {
                Files.copy(log, target.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Every process this stack started, the embedded broker first, then the services in start order. */
    public List<ChildProcess> processes() {
        List<ChildProcess> all = new ArrayList<>();
        if (broker != null) {
            all.add(broker.process());
        }
        all.addAll(services);
        return all;
    }

    /** The HTTP address (health, {@code /q/metrics}) of the service started as {@code name}, e.g. {@code router}. */
    public String httpAddress(String name) {
        Integer port = httpPorts.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no service '" + name + "' in this stack; services: " + httpPorts.keySet());
        }
        return "http://127.0.0.1:" + port;
    }

    public String gatewayAddress() {
        return "127.0.0.1:" + gatewayPort;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public Path logDir() {
        return workDir.resolve("logs");
    }

    @Override
    public void close() {
        // Stop in reverse start order: the gateway first, so no new work enters while the rest stops.
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        if (broker != null) {
            broker.close();
        }
        deleteRecursively(workDir);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
