package io.moestream.tools.stack;

import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeConfig;
import io.moestream.core.model.MoeModel;
import io.moestream.core.topics.TopicProvisioner;
import io.moestream.core.topics.Topics;
import io.moestream.tools.client.ClientTls;
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
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The whole pipeline on this machine, as separate processes: an embedded Kafka broker (unless an existing
 * cluster is given), the router, the expert service(s) and the gateway, started from the same jars that
 * production runs. Closing it stops every process it started and deletes its working directory.
 */
public final class LocalStack implements AutoCloseable {
    public static final String GATEWAY_PRINCIPAL = "moe-gateway";
    public static final String ROUTER_PRINCIPAL = "moe-router";
    /** Expert process {@code i} logs in as {@code moe-expert-i}. */
    public static final String EXPERT_PRINCIPAL = "moe-expert-";
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
    private final SecureKafka secure;
    private final ClientTls gatewayClientTls;
    private int gatewayPort;

    private LocalStack(Path workDir, EmbeddedKafkaBroker broker, String bootstrap, ServiceLauncher launcher,
                       Map<String, String> commonProperties, SecureKafka secure, ClientTls gatewayClientTls) {
        this.gatewayClientTls = gatewayClientTls;
        this.workDir = workDir;
        this.broker = broker;
        this.bootstrap = bootstrap;
        this.launcher = launcher;
        this.commonProperties = commonProperties;
        this.secure = secure;
    }

    public static LocalStack start(MoeHome home, StackOptions options, Consumer<String> progress)
            throws IOException, InterruptedException {
        Path workDir = Files.createTempDirectory("moe-stack-");
        EmbeddedKafkaBroker broker = null;
        LocalStack stack = null;
        try {
            String bootstrap = options.bootstrap();
            SecureKafka secure = options.secure() ? SecureKafka.create(workDir.resolve("tls")) : null;
            if (bootstrap == null) {
                progress.accept("starting the embedded Kafka broker (KRaft" + (secure == null ? ""
                        : ", SASL_SSL with SCRAM-SHA-512 and ACLs") + ") in " + workDir);
                broker = EmbeddedKafkaBroker.start(home, workDir, secure);
                bootstrap = broker.bootstrapServers();
                progress.accept("Kafka broker ready at " + bootstrap);
            }
            Map<String, String> common = new HashMap<>(options.extraProperties());
            common.put("kafka.bootstrap.servers", bootstrap);
            common.put("moe.model.dir", options.modelDir().toAbsolutePath().toString());
            if (!options.topics().prefix().isEmpty()) {
                common.put("moe.topic-prefix", options.topics().prefix());
            }
            GatewayTls tls = options.grpcMutualTls() ? GatewayTls.create(workDir.resolve("grpc-tls")) : null;
            if (tls != null) {
                tls.gatewayProperties().forEach((key, value) -> common.put("gateway:" + key, value));
                progress.accept("gateway gRPC on mutual TLS: CA " + tls.client().ca() + ", client certificate "
                        + tls.client().certificate() + ", key " + tls.client().key());
            }
            stack = new LocalStack(workDir, broker, bootstrap, new ServiceLauncher(home, workDir.resolve("logs")), common,
                    secure, tls == null ? ClientTls.PLAIN_TEXT : tls.client());
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
        Map<String, Object> admin = secure == null ? Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)
                : secure.adminConfig(bootstrap);
        List<String> created = TopicProvisioner.createAll(admin, options.topics(), layers, config.servedExperts(),
                1, options.expertPartitions());
        progress.accept("topics ready (" + created.size() + " created) for layers " + layers + ", "
                + config.servedExperts() + " experts each");

        List<String> assignments = expertAssignments(layers, config.servedExperts(), options.expertProcesses());
        if (secure != null) {
            createPrincipals(admin, options.topics(), layers, config.servedExperts(), assignments);
            progress.accept("Kafka principals ready: " + String.join(", ", principals(assignments.size()))
                    + " (ACLs as in k8s/templates; CA certificate " + secure.caFile() + ")");
        }
        List<ServiceLauncher.Service> starting = new ArrayList<>();
        starting.add(launch("router", "router-service", Map.of()));
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

    /**
     * Starts one more service process against this stack's broker and model, and waits until it is ready. A name
     * already used restarts that service (after a crash): an expert rejoins its groups as the same static member.
     */
    public ChildProcess startService(String name, String module, Map<String, String> properties)
            throws InterruptedException {
        return startService(name, module, properties, List.of());
    }

    /** {@link #startService(String, String, Map)} with JVM options (such as {@code -Xmx128m}) before the properties. */
    public ChildProcess startService(String name, String module, Map<String, String> properties, List<String> jvmOptions)
            throws InterruptedException {
        ServiceLauncher.Service service = launch(name, module, properties, jvmOptions);
        launcher.awaitReady(service);
        return service.process();
    }

    private ServiceLauncher.Service launch(String name, String module, Map<String, String> properties) {
        return launch(name, module, properties, List.of());
    }

    private ServiceLauncher.Service launch(String name, String module, Map<String, String> properties,
                                           List<String> jvmOptions) {
        Map<String, String> all = propertiesFor(module, commonProperties);
        if (module.equals("expert-service")) {
            // Static group membership under the process's name within this stack: a process restarted under it gets
            // its partitions back. The stack's own directory name keeps two stacks on one cluster from fencing
            // each other's members.
            all.put("moe.expert.instance-id", workDir.getFileName() + "-" + name);
        }
        if (secure != null) {
            all.putAll(secure.serviceProperties(bootstrap, principal(name, module)));
        }
        all.putAll(properties);
        ServiceLauncher.Service service = launcher.start(name, module, all, jvmOptions);
        services.add(service.process());
        httpPorts.put(name, service.httpPort());
        return service;
    }

    /** One SCRAM principal per service process, with the ACLs of its k8s KafkaUser ({@link ServiceAcls}). */
    private void createPrincipals(Map<String, Object> adminConfig, Topics topics, SortedSet<Integer> layers,
                                  int experts, List<String> assignments) throws InterruptedException {
        try (Admin admin = Admin.create(adminConfig)) {
            secure.createPrincipal(admin, GATEWAY_PRINCIPAL, ServiceAcls.gateway(GATEWAY_PRINCIPAL, topics));
            secure.createPrincipal(admin, ROUTER_PRINCIPAL, ServiceAcls.router(ROUTER_PRINCIPAL, topics));
            for (int i = 0; i < assignments.size(); i++) {
                String user = EXPERT_PRINCIPAL + i;
                secure.createPrincipal(admin, user, ServiceAcls.expert(user, topics,
                        servedExperts(assignments.get(i), layers, experts)));
            }
        }
    }

    /** The (layer, expert) pairs of an assignment: {@code all}, or {@code L:E,...} as {@link #expertAssignments} writes. */
    static List<int[]> servedExperts(String assignment, SortedSet<Integer> layers, int experts) {
        List<int[]> pairs = new ArrayList<>();
        if (assignment.equals("all")) {
            layers.forEach(layer -> IntStream.range(0, experts).forEach(e -> pairs.add(new int[] {layer, e})));
        } else {
            for (String pair : assignment.split(",")) {
                String[] parts = pair.split(":");
                pairs.add(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
            }
        }
        return pairs;
    }

    private static List<String> principals(int expertProcesses) {
        List<String> names = new ArrayList<>(List.of(SecureKafka.ADMIN + " (launcher)", GATEWAY_PRINCIPAL, ROUTER_PRINCIPAL));
        IntStream.range(0, expertProcesses).forEach(i -> names.add(EXPERT_PRINCIPAL + i));
        return names;
    }

    /** The principal a service logs in as: expert process {@code expert-N} as {@code moe-expert-N}. */
    private static String principal(String name, String module) {
        return switch (module) {
            case "gateway" -> GATEWAY_PRINCIPAL;
            case "router-service" -> ROUTER_PRINCIPAL;
            default -> EXPERT_PRINCIPAL + name.substring(name.lastIndexOf('-') + 1);
        };
    }

    /**
     * The Kafka client settings of {@code principal} on this stack's secured broker (tests use them to act as one
     * service); the plain bootstrap setting when the stack is not secured.
     */
    public Map<String, Object> kafkaClientConfig(String principal) {
        if (secure == null) {
            return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        }
        return secure.clientConfig(bootstrap, principal);
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

    /** How a client reaches the gateway: plain text, or the client certificate made for {@code --grpc-tls}. */
    public ClientTls gatewayClientTls() {
        return gatewayClientTls;
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
