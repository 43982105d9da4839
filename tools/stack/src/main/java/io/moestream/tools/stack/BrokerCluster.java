package io.moestream.tools.stack;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.UnregisterBrokerOptions;
import org.apache.kafka.common.Uuid;

/**
 * The embedded Kafka of {@code ./moe up}: {@code N} KRaft nodes on loopback, each a child process with its own data
 * directory that lives as long as the stack. The first three nodes (or all, if fewer) are combined brokers and
 * controllers, so the controller quorum survives the loss of any one of three; topics get min(N, 3) replicas and, from
 * three nodes on, {@code min.insync.replicas} 2: an {@code acks=all} write is then on two brokers before it counts.
 */
public final class BrokerCluster implements AutoCloseable {
    /** What one node needs on this machine: its heap plus the JVM's own memory and the page cache it leans on. */
    static final long MEMORY_PER_BROKER = 1L << 30;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** The clients' longest wait between two metadata refreshes on a cluster: see {@link #clientProperties}. */
    static final String CLIENT_RETRY_BACKOFF_MAX_MS = "250";
    /** How long a dead node's session lasts before the controller fences it: see {@link #serverProperties}. */
    static final int BROKER_SESSION_TIMEOUT_MS = 4000;
    /** The longest wait for a dead node's unregistration: a new controller's election takes 1-2 s. */
    private static final Duration UNREGISTER_TIMEOUT = Duration.ofSeconds(10);

    private final List<EmbeddedKafkaBroker> nodes;
    private final String bootstrapServers;
    /** The first node's admin settings (the super user when secured) with every node to bootstrap from. */
    private final Map<String, Object> adminConfig;

    private BrokerCluster(List<EmbeddedKafkaBroker> nodes) {
        this.nodes = nodes;
        this.bootstrapServers = nodes.stream().map(EmbeddedKafkaBroker::bootstrapServers).collect(Collectors.joining(","));
        Map<String, Object> admin = new HashMap<>(nodes.get(0).adminConfig());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.adminConfig = Map.copyOf(admin);
    }

    /**
     * Refuses a broker count this machine cannot run: below one, or more brokers than half its memory holds (the
     * services need the rest).
     */
    public static void checkCount(int brokers, long machineMemory) {
        if (brokers < 1) {
            throw new IllegalArgumentException("--brokers must be at least 1 (got " + brokers + ")");
        }
        long needed = brokers * MEMORY_PER_BROKER;
        if (needed > machineMemory / 2) {
            throw new IllegalArgumentException("--brokers " + brokers + " needs about " + (needed >> 30) + " GiB for the"
                    + " brokers alone; this machine has " + (machineMemory >> 30) + " GiB, and the services need the"
                    + " other half: at most " + Math.max(1, machineMemory / 2 / MEMORY_PER_BROKER) + " brokers here");
        }
    }

    /** This machine's physical memory, for {@link #checkCount}. */
    public static long machineMemory() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    /** Formats and starts {@code brokers} nodes under {@code workDir} and waits until all of them are registered. */
    public static BrokerCluster start(MoeHome home, Path workDir, SecureKafka secure, int brokers)
            throws IOException, InterruptedException {
        int controllers = Math.min(brokers, 3);
        int[] brokerPorts = new int[brokers];
        int[] controllerPorts = new int[brokers];
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            brokerPorts[i] = FreePorts.next();
            controllerPorts[i] = FreePorts.next();
            if (i < controllers) {
                voters.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
            }
        }
        String clusterId = Uuid.randomUuid().toString();
        List<EmbeddedKafkaBroker> nodes = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            // one broker keeps the layout it always had (kafka-data, logs/kafka.log); a cluster's nodes get kafka-<id>
            String name = brokers == 1 ? "kafka" : "kafka-" + (i + 1);
            Path dir = brokers == 1 ? workDir : workDir.resolve(name);
            Properties server = serverProperties(i + 1, brokers, String.join(",", voters), dir.resolve("kafka-data"),
                    brokerPorts[i], i < controllers ? controllerPorts[i] : 0, secure);
            nodes.add(EmbeddedKafkaBroker.format(home, dir, name, workDir.resolve("logs").resolve(name + ".log"),
                    server, clusterId, brokers == 1 ? "1g" : "512m", secure));
        }
        BrokerCluster cluster = new BrokerCluster(nodes);
        try {
            nodes.forEach(EmbeddedKafkaBroker::launch);
            for (EmbeddedKafkaBroker node : nodes) {
                node.awaitReady();
            }
            cluster.awaitRegistered();
            return cluster;
        } catch (RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    static Properties serverProperties(int nodeId, int brokers, String voters, Path dataDir, int brokerPort,
                                       int controllerPort, SecureKafka secure) {
        String replicas = Integer.toString(Math.min(brokers, 3));
        String minInSync = brokers >= 3 ? "2" : "1";
        Properties p = new Properties();
        p.setProperty("process.roles", controllerPort > 0 ? "broker,controller" : "broker");
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("controller.quorum.voters", voters);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort
                + (controllerPort > 0 ? ",CONTROLLER://127.0.0.1:" + controllerPort : ""));
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toString());
        // Topics are created on purpose by the launcher, with the partition counts of the contract.
        p.setProperty("auto.create.topics.enable", "false");
        // The launcher creates its topics with the cluster's default replication factor: min(N, 3) copies, and from
        // three brokers on an acks=all write needs two of them, so one broker can die without losing an acked record.
        p.setProperty("default.replication.factor", replicas);
        p.setProperty("min.insync.replicas", minInSync);
        p.setProperty("offsets.topic.replication.factor", replicas);
        p.setProperty("transaction.state.log.replication.factor", replicas);
        p.setProperty("transaction.state.log.min.isr", minInSync);
        p.setProperty("share.coordinator.state.topic.replication.factor", replicas);
        p.setProperty("share.coordinator.state.topic.min.isr", minInSync);
        if (brokers > 1) {
            // A killed broker is fenced (its partitions' leadership moved) once it misses its session with the
            // controller: 4 s instead of the default 9 s keeps a broker's loss within the recovery target of 7 s,
            // while a broker on a busy 2-core machine still heartbeats (every second) well within it.
            p.setProperty("broker.session.timeout.ms", Integer.toString(BROKER_SESSION_TIMEOUT_MS));
            p.setProperty("broker.heartbeat.interval.ms", "1000");
            // Every node is also a controller, so a killed broker may be the quorum's leader: the others then elect a
            // new one, which fences the dead broker only a whole broker session after its activation. With Kafka's
            // defaults (2 s without a fetch answer, then up to 1 s of election timeout) the activation came about 3 s
            // after the kill and the loss cost 7.8-8.1 s; with 1 s and 0.5 s it came 1.2 s after.
            p.setProperty("controller.quorum.fetch.timeout.ms", "1000");
            p.setProperty("controller.quorum.election.timeout.ms", "500");
        }
        // Consumer groups of the services form without the default 3 s wait for more members.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        if (secure != null) {
            secure.configureServer(p, brokerPort, controllerPort);
        }
        return p;
    }

    /**
     * The services' Kafka client settings for a cluster of {@code brokers} embedded nodes (none for one node or an
     * existing cluster), as {@code -D} properties: {@code kafka.*} reaches every client of the gateway and the experts,
     * {@code router-service:kafka-streams.*} every client of the router's Kafka Streams.
     *
     * <p>When a partition's leader dies, its clients fail against it until the controller fences it (after
     * {@code broker.session.timeout.ms}) and names a new leader; meanwhile each client refreshes its metadata after a
     * backoff that doubles from {@code retry.backoff.ms} (100 ms) up to {@code retry.backoff.max.ms}, 1 s by default,
     * so a client learns of the new leader up to 1 s (plus 20% jitter) after the fencing. 250 ms caps that wait at a
     * quarter: a few more metadata requests per client while a broker is down, which the handful of clients of a
     * local stack cannot make a storm of.
     */
    static Map<String, String> clientProperties(int brokers) {
        if (brokers <= 1) {
            return Map.of();
        }
        return Map.of("kafka.retry.backoff.max.ms", CLIENT_RETRY_BACKOFF_MAX_MS,
                "router-service:kafka-streams.retry.backoff.max.ms", CLIENT_RETRY_BACKOFF_MAX_MS);
    }

    /** Waits until the controller knows every node as a broker: topics with min(N, 3) replicas can then be placed. */
    private void awaitRegistered() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                int registered;
                try {
                    registered = admin.describeCluster().nodes().get().size();
                } catch (ExecutionException notYet) {
                    registered = 0;
                }
                if (registered >= nodes.size()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(registered + " of " + nodes.size() + " brokers registered within "
                            + READY_TIMEOUT);
                }
                Thread.sleep(250);
            }
        }
    }

    public List<EmbeddedKafkaBroker> nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    /** Every node's address, comma-separated: clients find the cluster through any that is up. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The nodes' processes as they run now (a restarted node's new process). */
    public List<ChildProcess> processes() {
        return nodes.stream().map(EmbeddedKafkaBroker::process).toList();
    }

    /** The node whose current process is {@code process}, if it is one of this cluster's. */
    Optional<EmbeddedKafkaBroker> node(ChildProcess process) {
        return nodes.stream().filter(node -> node.process() == process).findFirst();
    }

    /**
     * Starts a node that exited again on its kept data and waits until it answers; it then rejoins as itself. First
     * it is unregistered ({@link #unregister}), so that its partitions get new leaders at once.
     */
    ChildProcess restart(EmbeddedKafkaBroker node, Consumer<String> progress) throws InterruptedException {
        String name = node.process().name();
        progress.accept(unregister(node)
                ? name + " unregistered: the controller moved its partitions' leadership to the live brokers"
                : name + " could not be unregistered; the controller fences it after its session ("
                        + BROKER_SESSION_TIMEOUT_MS + " ms)");
        node.launch();
        node.awaitReady();
        return node.process();
    }

    /**
     * Takes a node whose process is gone out of the cluster's metadata ({@code Admin.unregisterBroker}): the controller
     * fences it and elects new leaders for its partitions now, where it would otherwise wait for the node's session to
     * run out ({@code broker.session.timeout.ms}), and when the node was the active controller, count that session
     * from the next controller's activation. The supervisor knows the process exited; a timeout can only suspect it.
     * The node registers anew when it restarts and rejoins the ISRs as it catches up. Returns whether the controller
     * took it out within {@link #UNREGISTER_TIMEOUT} (which covers the election of a new controller).
     */
    private boolean unregister(EmbeddedKafkaBroker node) throws InterruptedException {
        try (Admin admin = Admin.create(adminConfig)) {
            // not chained: in Kafka 4.1 this option's timeoutMs returns another options type
            UnregisterBrokerOptions options = new UnregisterBrokerOptions();
            options.timeoutMs((int) UNREGISTER_TIMEOUT.toMillis());
            admin.unregisterBroker(nodes.indexOf(node) + 1, options).all()
                    .get(UNREGISTER_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() {
        // SIGTERM to all at once: one by one, the last controllers would wait for a quorum that has already left
        nodes.stream().map(EmbeddedKafkaBroker::process).filter(Objects::nonNull).forEach(ChildProcess::stop);
        nodes.forEach(EmbeddedKafkaBroker::close);
    }
}
