package io.moestream.tools.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) run from Kafka's own
 * jars as a child process, with its data in {@code workDir}. Formatting the storage and starting the
 * server are the same two steps as Kafka's {@code kafka-storage.sh format} and {@code kafka-server-start.sh}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /**
     * The heap and GC settings of Kafka's own start script, with 4 MiB G1 regions: a produce request of a token
     * chunk (about 512 KiB at d_model 1024 and 128 rows) is then an ordinary allocation, not a humongous one, which
     * at 1 MiB regions is what every such request was, each costing a trip through the old generation.
     */
    private static final List<String> SERVER_JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:G1HeapRegionSize=4m", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent");

    private final ChildProcess process;
    private final String bootstrapServers;
    private final Map<String, Object> adminConfig;

    private EmbeddedKafkaBroker(ChildProcess process, String bootstrapServers, Map<String, Object> adminConfig) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.adminConfig = adminConfig;
    }

    public static EmbeddedKafkaBroker start(MoeHome home, Path workDir) throws IOException, InterruptedException {
        return start(home, workDir, null);
    }

    /** A broker on plain text ({@code secure} null) or on SASL_SSL with the ACLs of {@code secure}. */
    public static EmbeddedKafkaBroker start(MoeHome home, Path workDir, SecureKafka secure)
            throws IOException, InterruptedException {
        int brokerPort = FreePorts.next();
        int controllerPort = FreePorts.next();
        Path dataDir = Files.createDirectories(workDir.resolve("kafka-data"));
        Path config = workDir.resolve("server.properties");
        Path logConfig = writeLogConfig(workDir);
        writeServerProperties(config, dataDir, brokerPort, controllerPort, secure);

        String classpath = home.libDir().resolve("*").toString();
        List<String> jvm = concat(SERVER_JVM_OPTIONS, List.of("-Dlog4j2.configurationFile=" + logConfig, "-cp", classpath));
        Path log = workDir.resolve("logs/kafka.log");

        List<String> format = new java.util.ArrayList<>(
                List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
        if (secure != null) {
            format.addAll(secure.formatArguments());
        }
        ChildProcess formatting = ChildProcess.startJava("kafka-storage-format", concat(jvm, format), log);
        if (formatting.awaitExit(Duration.ofSeconds(60)) != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed:\n" + formatting.logTail(30));
        }
        ChildProcess server = ChildProcess.startJava("kafka", concat(jvm, List.of("kafka.Kafka", config.toString())), log);
        String bootstrap = "127.0.0.1:" + brokerPort;
        Map<String, Object> admin = secure == null
                ? Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)
                : secure.adminConfig(bootstrap);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, admin);
        broker.awaitReady();
        return broker;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The settings of an admin client that may do everything on this broker (the super user when secured). */
    public Map<String, Object> adminConfig() {
        return adminConfig;
    }

    ChildProcess process() {
        return process;
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> config = new java.util.HashMap<>(adminConfig);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited:\n" + process.logTail(40));
                }
                try {
                    admin.describeCluster().nodes().get();
                    return;
                } catch (java.util.concurrent.ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException("the Kafka broker was not ready within " + READY_TIMEOUT
                                + ":\n" + process.logTail(40));
                    }
                    Thread.sleep(250);
                }
            }
        }
    }

    private static void writeServerProperties(Path file, Path dataDir, int brokerPort, int controllerPort,
                                              SecureKafka secure) throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toString());
        // Topics are created on purpose by the launcher, with the partition counts of the contract.
        p.setProperty("auto.create.topics.enable", "false");
        // One node: internal topics cannot have more replicas than that.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Consumer groups of the services form without the default 3 s wait for more members.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        if (secure != null) {
            secure.configureServer(p, brokerPort, controllerPort);
        }
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "moe-stream embedded broker");
        }
    }

    private static Path writeLogConfig(Path workDir) throws IOException {
        Path file = workDir.resolve("kafka-log4j2.properties");
        Files.writeString(file, String.join("\n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = OUT",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%c{1}] %m%n",
                "logger.server.name = kafka.server.KafkaRaftServer",
                "logger.server.level = INFO",
                ""));
        return file;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public void close() {
        process.close();
    }
}
