package io.moestream.tools.stack;

import io.moestream.core.config.ServiceKeys;
import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeConfig;
import io.moestream.core.model.MoeModel;
import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.PlacementPlan;
import io.moestream.core.topics.ExpertGroupOffsets;
import io.moestream.core.topics.TopicProvisioner;
import io.moestream.core.topics.Topics;
import io.moestream.tools.client.ClientTls;
import io.moestream.tools.monitoring.Monitoring;
import io.moestream.tools.monitoring.MonitoringBinaries;
import io.moestream.tools.monitoring.ScrapeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The whole pipeline on this machine, as separate processes: embedded Kafka brokers (unless an existing
 * cluster is given), the router, the expert service(s) and the gateway, started from the same jars that
 * production runs. Closing it stops every process it started and deletes its working directory.
 */
public final class LocalStack implements AutoCloseable {
    public static final String GATEWAY_PRINCIPAL = ServiceAcls.GATEWAY_PRINCIPAL;
    public static final String ROUTER_PRINCIPAL = ServiceAcls.ROUTER_PRINCIPAL;
    /** A process of expert group {@code g} logs in as {@code moe-expert-g}. */
    public static final String EXPERT_PRINCIPAL = "moe-expert-";
    /**
     * Settings for running every process on one machine. The expert service runs one kernel thread per core and the
     * router one per stream thread: each kernel call on a single OpenBLAS thread is what shares the cores between
     * them; OpenBLAS' own thread pool, entered by several threads at once, serializes them and spins instead.
     */
    static final Map<String, Map<String, String>> SERVICE_DEFAULTS = Map.of(
            "expert-service", Map.of(ServiceKeys.BLAS_THREADS, "1"),
            "router-service", Map.of(ServiceKeys.BLAS_THREADS, "1"));

    /** How long a re-placement tries to prune the moved experts' offsets while old members are still leaving. */
    private static final Duration PRUNE_WAIT = Duration.ofSeconds(30);

    private final Path workDir;
    private final BrokerCluster brokers;
    private final String bootstrap;
    private final ServiceLauncher launcher;
    /** Read by a {@link Supervisor} while the main thread may re-place: a copy on every change. */
    private final List<ChildProcess> services = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> httpPorts = new ConcurrentHashMap<>();
    private final Map<String, String> modules = new ConcurrentHashMap<>();
    /** How each service was started, by name: a restart after a crash starts it the same way. */
    private final Map<String, Launch> launches = new ConcurrentHashMap<>();
    private final Map<String, String> commonProperties;
    private final SecureKafka secure;
    private final ClientTls gatewayClientTls;
    private final Topics topics;
    /** The expert processes running now, by name, with the group each serves. */
    private final Map<String, ExpertGroup> expertProcesses = new LinkedHashMap<>();
    private final MoeConfig config;
    private final SortedSet<Integer> layers;
    private PlacementPlan plan;
    /** Bumped by each re-placement, so that a changed group's new processes get names of their own. */
    private int generation = 1;
    private int gatewayPort;
    private volatile boolean closed;
    /** Prometheus and Alertmanager, with {@code --monitoring}. */
    private Monitoring monitoring;

    private LocalStack(Path workDir, BrokerCluster brokers, String bootstrap, ServiceLauncher launcher,
                       Map<String, String> commonProperties, SecureKafka secure, ClientTls gatewayClientTls,
                       Topics topics, Served served) {
        this.gatewayClientTls = gatewayClientTls;
        this.topics = topics;
        this.config = served.config();
        this.layers = served.layers();
        this.plan = served.plan();
        this.workDir = workDir;
        this.brokers = brokers;
        this.bootstrap = bootstrap;
        this.launcher = launcher;
        this.commonProperties = commonProperties;
        this.secure = secure;
    }

    public static LocalStack start(MoeHome home, StackOptions options, Consumer<String> progress)
            throws IOException, InterruptedException {
        return start(home, options, progress, dir -> { });
    }

    /**
     * {@link #start(MoeHome, StackOptions, Consumer)}, telling {@code workDirCreated} the stack's working directory as
     * soon as it exists: {@code ./moe up} deletes it itself when stopped while the start is still waiting on Kafka.
     */
    public static LocalStack start(MoeHome home, StackOptions options, Consumer<String> progress,
                                   Consumer<Path> workDirCreated) throws IOException, InterruptedException {
        // the model, its served layers and the placement plan are checked, and missing monitoring programs reported,
        // before anything starts
        Served served = Served.of(options);
        MonitoringBinaries monitoringBinaries = options.monitoring().enabled() ? MonitoringBinaries.locate() : null;
        Path workDir = Files.createTempDirectory("moe-stack-");
        workDirCreated.accept(workDir);
        BrokerCluster brokers = null;
        LocalStack stack = null;
        try {
            String bootstrap = options.bootstrap();
            SecureKafka secure = options.secure() ? SecureKafka.create(workDir.resolve("tls")) : null;
            if (bootstrap == null) {
                progress.accept("starting " + (options.brokers() == 1 ? "the embedded Kafka broker"
                        : options.brokers() + " embedded Kafka brokers as one cluster") + " (KRaft" + (secure == null ? ""
                        : ", SASL_SSL with SCRAM-SHA-512 and ACLs") + ") in " + workDir);
                brokers = BrokerCluster.start(home, workDir, secure, options.brokers());
                bootstrap = brokers.bootstrapServers();
                progress.accept("Kafka " + (brokers.size() == 1 ? "broker ready at " + bootstrap : "cluster ready at "
                        + bootstrap + ": topics get " + Math.min(brokers.size(), 3) + " replicas"
                        + (brokers.size() >= 3 ? ", min.insync.replicas 2" : "")));
            }
            Map<String, String> common = new HashMap<>(
                    BrokerCluster.clientProperties(brokers == null ? 0 : brokers.size()));
            common.putAll(options.extraProperties());
            common.put("kafka.bootstrap.servers", bootstrap);
            common.put(ServiceKeys.MODEL_DIR, options.modelDir().toAbsolutePath().toString());
            if (!options.topics().prefix().isEmpty()) {
                common.put(ServiceKeys.TOPIC_PREFIX, options.topics().prefix());
            }
            GatewayTls tls = options.grpcMutualTls() ? GatewayTls.create(workDir.resolve("grpc-tls")) : null;
            if (tls != null) {
                tls.gatewayProperties().forEach((key, value) -> common.put("gateway:" + key, value));
                progress.accept("gateway gRPC on mutual TLS: CA " + tls.client().ca() + ", client certificate "
                        + tls.client().certificate() + ", key " + tls.client().key());
            }
            stack = new LocalStack(workDir, brokers, bootstrap, new ServiceLauncher(home, workDir.resolve("logs")), common,
                    secure, tls == null ? ClientTls.PLAIN_TEXT : tls.client(), options.topics(), served);
            stack.startPipeline(options, progress);
            if (monitoringBinaries != null) {
                stack.monitoring = Monitoring.start(monitoringBinaries, workDir.resolve("monitoring"), options.topics(),
                        options.monitoring(), stack.scrapeTargets(), progress);
            }
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (stack != null) {
                stack.close();
            } else {
                if (brokers != null) {
                    brokers.close();
                }
                deleteRecursively(workDir);
            }
            throw e;
        }
    }

    /** The model's config, the served layers and the placement plan, checked against each other. */
    private record Served(MoeConfig config, SortedSet<Integer> layers, PlacementPlan plan) {
        static Served of(StackOptions options) {
            try (MoeModel model = MoeModel.open(options.modelDir())) {
                SortedSet<Integer> layers = LayerSelection.parse(options.layerSpec(), model.moeLayers());
                return new Served(model.config(), layers, options.placement().plan(model.config(), layers));
            }
        }
    }

    private void startPipeline(StackOptions options, Consumer<String> progress) throws InterruptedException {
        List<String> created = TopicProvisioner.createForPlan(adminConfig(), options.topics(), plan, 1);
        TopicProvisioner.awaitHosted(adminConfig(), TopicProvisioner.partitionsForPlan(options.topics(), plan, 1),
                ServiceLauncher.READY_TIMEOUT, progress);
        progress.accept("topics ready (" + created.size() + " created) for layers " + layers + ", "
                + config.servedExperts() + " experts each");
        progress.accept("placement: " + PlanSummary.of(plan, config));
        if (secure != null) {
            createPrincipals(options.topics(), plan.groups(), true);
            progress.accept("Kafka principals ready: " + SecureKafka.ADMIN + " (launcher), " + GATEWAY_PRINCIPAL + ", "
                    + ROUTER_PRINCIPAL + ", " + EXPERT_PRINCIPAL + "<group> for groups "
                    + plan.groups().stream().map(ExpertGroup::name).toList()
                    + " (ACLs as in k8s/templates; CA certificate " + secure.caFile() + ")");
        }
        List<ServiceLauncher.Service> starting = new ArrayList<>();
        starting.add(launch("router", "router-service", Map.of()));
        starting.addAll(launchGroups(plan.groups()));
        gatewayPort = options.gatewayPort() > 0 ? options.gatewayPort() : FreePorts.next();
        starting.add(launch("gateway", "gateway", Map.of("quarkus.grpc.server.port", Integer.toString(gatewayPort))));
        awaitReady(starting, progress);
        GroupAssignment.await(adminConfig(), options.topics(), plan, ServiceLauncher.READY_TIMEOUT, progress);
        progress.accept("every expert group's partitions are assigned");
    }

    /**
     * Rolls out a new placement plan while traffic flows: creates or grows the expert topics it needs, starts the
     * processes of every group that is new or changed (under new names), waits until they are ready, stops the
     * processes of the groups they replace, waits until every partition is assigned, then deletes the offsets groups
     * keep for experts that moved away. A moved expert's new group resumes from the offsets its old group committed
     * (moe-core {@code ExpertGroupOffsets}), so no task is lost and none is answered twice except those in flight.
     */
    public void applyPlacement(PlacementPlan next, Consumer<String> progress) throws InterruptedException {
        next.check(config, layers);
        List<String> changedTopics = TopicProvisioner.createForPlan(adminConfig(), topics, next, 1);
        TopicProvisioner.awaitHosted(adminConfig(), TopicProvisioner.partitionsForPlan(topics, next, 1), ServiceLauncher.READY_TIMEOUT,
                progress);
        if (!changedTopics.isEmpty()) {
            progress.accept("expert topics created or grown for the new plan: " + changedTopics.size());
        }
        List<ExpertGroup> kept = next.groups().stream().filter(plan.groups()::contains).toList();
        List<ExpertGroup> started = next.groups().stream().filter(g -> !plan.groups().contains(g)).toList();
        List<String> retired = expertProcesses.entrySet().stream().filter(e -> !kept.contains(e.getValue()))
                .map(Map.Entry::getKey).toList();
        progress.accept("new placement: " + PlanSummary.of(next, config) + "; keeping " + kept.size()
                + " group(s), starting " + started.size() + ", retiring " + retired.size() + " process(es)");
        if (secure != null) {
            createPrincipals(topics, started, false);
        }
        generation++;
        awaitReady(launchGroups(started), progress);
        for (String name : retired) {
            ChildProcess process = process(name);
            services.remove(process);
            expertProcesses.remove(name);
            process.close();
            progress.accept(name + " stopped (its group left the plan or changed)");
        }
        plan = next;
        updateScrapeTargets();
        GroupAssignment.await(adminConfig(), topics, plan, ServiceLauncher.READY_TIMEOUT, progress);
        progress.accept("new placement applied; offsets of moved experts removed from their old groups: "
                + pruneMovedOffsets() + " partition(s)");
    }

    /**
     * Prunes the offsets of moved experts from their old groups, again for a while as long as a group still counts its
     * stopped members as subscribed to those topics; returns how many partitions' offsets were deleted.
     */
    private int pruneMovedOffsets() throws InterruptedException {
        long deadline = System.nanoTime() + PRUNE_WAIT.toNanos();
        int partitions = 0;
        try (Admin admin = Admin.create(adminConfig())) {
            while (true) {
                ExpertGroupOffsets.Pruned pruned = ExpertGroupOffsets.pruneMoved(admin, topics, plan);
                partitions += pruned.partitions();
                if (pruned.deferred().isEmpty() || System.nanoTime() > deadline) {
                    return partitions;
                }
                Thread.sleep(500);
            }
        }
    }

    /** The plan the stack runs now. */
    public PlacementPlan placement() {
        return plan;
    }

    /** One process per replica of each group: {@code expert-<group>}, or {@code expert-<group>-r<i>} with replicas. */
    private List<ServiceLauncher.Service> launchGroups(List<ExpertGroup> groups) {
        List<ServiceLauncher.Service> started = new ArrayList<>();
        for (ExpertGroup group : groups) {
            for (int replica = 0; replica < group.replicas(); replica++) {
                String name = "expert-" + group.name() + (generation > 1 ? "-v" + generation : "")
                        + (group.replicas() > 1 ? "-r" + replica : "");
                expertProcesses.put(name, group);
                started.add(launch(name, "expert-service", Map.of()));
            }
        }
        return started;
    }

    private void awaitReady(List<ServiceLauncher.Service> starting, Consumer<String> progress) throws InterruptedException {
        for (ServiceLauncher.Service service : starting) {
            launcher.awaitReady(service, progress);
            progress.accept(service.process().name() + " ready (pid " + service.process().pid()
                    + ", health http://127.0.0.1:" + service.httpPort() + "/q/health)");
        }
    }

    private Map<String, Object> adminConfig() {
        return secure == null ? Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap) : secure.adminConfig(bootstrap);
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
        launcher.awaitReady(service, line -> { });
        updateScrapeTargets();
        return service.process();
    }

    /** Stops the service started as {@code name} (SIGTERM, as on close) and forgets it: a stop, not a crash. */
    public void stopService(String name) {
        ChildProcess process = process(name);
        services.remove(process);
        launches.remove(name);
        httpPorts.remove(name);
        process.close();
        updateScrapeTargets();
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
            all.put(ServiceKeys.EXPERT_INSTANCE_ID, staticMemberId(name));
            // a known expert process restarted under its name serves its group again
            Optional.ofNullable(expertProcesses.get(name)).ifPresent(group -> {
                all.put(ServiceKeys.EXPERT_GROUP, group.name());
                all.put(ServiceKeys.EXPERT_EXPERTS, group.expertSpec());
            });
        }
        if (module.equals("router-service")) {
            // The same for the router's Kafka Streams consumer: a router restarted under its name takes its partitions
            // back at once, instead of waiting until the dead member's session (10 s) times out.
            all.put(ServiceKeys.ROUTER_INSTANCE_ID, staticMemberId(name));
            // its Kafka Streams state in this stack's directory, deleted with the stack, not left in /tmp for good
            all.put(ServiceKeys.ROUTER_STATE_ROOT, workDir.resolve("router-state").toString());
        }
        if (secure != null) {
            all.putAll(secure.serviceProperties(bootstrap, principal(name, module)));
        }
        all.putAll(properties);
        ServiceLauncher.Service service = launcher.start(name, module, all, jvmOptions);
        launches.put(name, new Launch(module, properties, jvmOptions));
        services.add(service.process());
        if (closed) {
            // a supervisor's restart raced with close(): nothing may outlive the stack
            service.process().close();
            throw new IllegalStateException(name + " not started: the stack is stopping");
        }
        httpPorts.put(name, service.httpPort());
        modules.put(name, module);
        return service;
    }

    /** One SCRAM principal per service and per expert group, with the ACLs of its k8s KafkaUser ({@link ServiceAcls}). */
    private void createPrincipals(Topics topics, List<ExpertGroup> groups, boolean services) throws InterruptedException {
        try (Admin admin = Admin.create(adminConfig())) {
            if (services) {
                secure.createPrincipal(admin, GATEWAY_PRINCIPAL, ServiceAcls.gateway(GATEWAY_PRINCIPAL, topics));
                secure.createPrincipal(admin, ROUTER_PRINCIPAL, ServiceAcls.router(ROUTER_PRINCIPAL, topics));
            }
            for (ExpertGroup group : groups) {
                String user = EXPERT_PRINCIPAL + group.name();
                secure.createPrincipal(admin, user, ServiceAcls.expert(user, topics, group, config.servedExperts()));
            }
        }
    }

    /** The principal a service logs in as: a process of expert group {@code g} as {@code moe-expert-g}. */
    private String principal(String name, String module) {
        return switch (module) {
            case "gateway" -> GATEWAY_PRINCIPAL;
            case "router-service" -> ROUTER_PRINCIPAL;
            default -> EXPERT_PRINCIPAL + Optional.ofNullable(expertProcesses.get(name)).map(ExpertGroup::name)
                    .orElseThrow(() -> new IllegalArgumentException(name + " is not an expert process of this stack"));
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

    /** The running service process started as {@code name}, e.g. {@code expert-0}. */
    public ChildProcess process(String name) {
        return services.stream().filter(p -> p.name().equals(name)).reduce((first, later) -> later)
                .orElseThrow(() -> new IllegalArgumentException("no process '" + name + "' in this stack"));
    }

    /** A service, Prometheus or Alertmanager that is no longer running, if any: the stack is then broken. */
    public Optional<ChildProcess> firstExited() {
        Stream<ChildProcess> watched = monitoring == null ? services.stream()
                : Stream.concat(services.stream(), monitoring.processes().stream());
        return watched.filter(p -> !p.isAlive()).findFirst();
    }

    /** The embedded brokers and services that exited without the stack stopping them: crashed or killed. */
    public List<ChildProcess> crashed() {
        return processes().stream().filter(ChildProcess::crashed).toList();
    }

    /** How many embedded brokers the stack runs; 0 on an existing cluster ({@code --bootstrap}). */
    public int brokerCount() {
        return brokers == null ? 0 : brokers.size();
    }

    /** Whether {@code process} is one of the embedded brokers. */
    public boolean isBroker(ChildProcess process) {
        return brokers != null && brokers.node(process).isPresent();
    }

    /**
     * Starts a crashed process again as it was started, and waits until it is ready: a broker on its kept data (first
     * unregistered from the cluster, so that its partitions get new leaders at once), a service under its name with
     * the same settings (an expert rejoins its groups as the same static member). A crashed replica of a group with
     * others first leaves the group, so that they take its partitions at once.
     *
     * @throws IllegalStateException when it exits again before it is ready (with its log's tail)
     */
    public ChildProcess restart(ChildProcess crashed, Consumer<String> progress) throws InterruptedException {
        Optional<EmbeddedKafkaBroker> node = brokers == null ? Optional.empty() : brokers.node(crashed);
        if (node.isPresent()) {
            return brokers.restart(node.get(), progress);
        }
        Launch launch = launches.get(crashed.name());
        if (launch == null || !services.remove(crashed)) {
            throw new IllegalArgumentException(crashed.name() + " is not a service of this stack");
        }
        ExpertGroup group = expertProcesses.get(crashed.name());
        if (group != null && group.replicas() > 1) {
            String groupId = topics.expertGroup(group.name());
            int removed = StaticMembers.remove(adminConfig(), groupId, staticMemberId(crashed.name()) + "-c");
            progress.accept(crashed.name() + ": " + removed + " consumer(s) taken out of " + groupId
                    + ", its partitions move to the group's live replicas");
        }
        return startService(crashed.name(), launch.module(), launch.properties(), launch.jvmOptions());
    }

    /**
     * The static membership id of an expert or router process, under its name within this stack: a process restarted
     * under it gets its partitions back. The stack's own directory name keeps two stacks on one cluster from fencing
     * each other's members.
     */
    private String staticMemberId(String name) {
        return workDir.getFileName() + "-" + name;
    }

    /** The module and settings a service was started with, beyond the stack's common ones. */
    private record Launch(String module, Map<String, String> properties, List<String> jvmOptions) {
    }

    /** Prometheus and Alertmanager, when the stack was started with them. */
    public Optional<Monitoring> monitoring() {
        return Optional.ofNullable(monitoring);
    }

    /** The service processes running now, as Prometheus scrapes them. */
    private List<ScrapeTarget> scrapeTargets() {
        return services.stream().filter(ChildProcess::isAlive)
                .map(p -> new ScrapeTarget(p.name(), modules.get(p.name()), httpPorts.get(p.name()))).toList();
    }

    private void updateScrapeTargets() {
        if (monitoring == null) {
            return;
        }
        try {
            monitoring.updateTargets(scrapeTargets());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update Prometheus' scrape targets", e);
        }
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

    /** Every process this stack started, the embedded brokers first, then the services in start order. */
    public List<ChildProcess> processes() {
        List<ChildProcess> all = new ArrayList<>();
        if (brokers != null) {
            all.addAll(brokers.processes());
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
        closed = true;
        if (monitoring != null) {
            monitoring.close();
        }
        // Stop in reverse start order: the gateway first, so no new work enters while the rest stops.
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        if (brokers != null) {
            brokers.close();
        }
        deleteRecursively(workDir);
    }

    /** Deletes a directory and everything in it, if it is still there (or was ever made: null is none). */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
