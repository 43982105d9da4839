package io.moestream.tools.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One real Apache Kafka node (KRaft) run from Kafka's own jars as a child process, with its data in a directory that
 * outlives the process: restarting it (after a crash) brings back the same node with its logs. Formatting the storage
 * and starting the server are the same two steps as Kafka's {@code kafka-storage.sh format} and
 * {@code kafka-server-start.sh}. {@link BrokerCluster} runs several of them as one cluster.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /**
     * The heap and GC settings of Kafka's own start script, with 4 MiB G1 regions: a produce request of a token
     * chunk (about 512 KiB at d_model 1024 and 128 rows) is then an ordinary allocation, not a humongous one, which
     * at 1 MiB regions is what every such request was, each costing a trip through the old generation.
     */
    private static final List<String> SERVER_JVM_OPTIONS = List.of("-XX:+UseG1GC",
            "-XX:G1HeapRegionSize=4m", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent");

    private final String name;
    private final List<String> serverCommand;
    private final Path log;
    private final String bootstrapServers;
    private final Map<String, Object> adminConfig;
    private final StartupArchive archive;
    private volatile ChildProcess process;
    /** How the current process started: whether it is to write the startup archive once ready. */
    private volatile StartupArchive.Start start;
    private volatile boolean closed;

    private EmbeddedKafkaBroker(String name, List<String> serverCommand, Path log, String bootstrapServers,
                                Map<String, Object> adminConfig, StartupArchive archive) {
        this.name = name;
        this.serverCommand = serverCommand;
        this.log = log;
        this.bootstrapServers = bootstrapServers;
        this.adminConfig = adminConfig;
        this.archive = archive;
    }

    /** A single-node broker on plain text. */
    public static EmbeddedKafkaBroker start(MoeHome home, Path workDir) throws IOException, InterruptedException {
        return BrokerCluster.start(home, workDir, null, 1).nodes().get(0);
    }

    /**
     * Writes the node's configuration, formats its storage under {@code dir} with the cluster's id, and returns it
     * unstarted: the nodes of a cluster are formatted first, then started together.
     */
    static EmbeddedKafkaBroker format(MoeHome home, Path dir, String name, Path log, Properties server, String clusterId,
                                      String heap, SecureKafka secure) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path config = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            server.store(out, "moe-stream embedded broker " + name);
        }
        String classpath = home.libDir().resolve("*").toString();
        List<String> jvm = new ArrayList<>(List.of("-Xms" + heap, "-Xmx" + heap));
        jvm.addAll(SERVER_JVM_OPTIONS);
        jvm.add("-Dlog4j2.configurationFile=" + writeLogConfig(dir));
        List<String> format = new ArrayList<>(jvm);
        format.addAll(home.exitWithParent(classpath, "kafka.tools.StorageTool"));
        format.addAll(List.of("format", "-t", clusterId, "-c", config.toString()));
        if (secure != null) {
            format.addAll(secure.formatArguments());
        }
        ChildProcess formatting = ChildProcess.startJava(name + "-storage-format", format, log);
        if (formatting.awaitExit(Duration.ofSeconds(60)) != 0) {
            throw new IllegalStateException("formatting the storage of " + name + " failed:\n" + formatting.logTail(30));
        }
        List<String> serverCommand = new ArrayList<>(jvm);
        serverCommand.addAll(home.exitWithParent(classpath, "kafka.Kafka"));
        serverCommand.add(config.toString());
        String bootstrap = server.getProperty("advertised.listeners").replaceFirst("^[A-Z_]+://", "");
        Map<String, Object> admin = secure == null
                ? Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)
                : secure.adminConfig(bootstrap);
        StartupArchive archive = StartupArchive.of("kafka-server", List.of(home.libDir(), home.exitWithParentJar()),
                home.libDir().resolveSibling("startup-archive"));
        return new EmbeddedKafkaBroker(name, serverCommand, log, bootstrap, admin, archive);
    }

    /** Starts (or, after it exited, restarts) the server on its formatted storage: the same node, its data kept. */
    void launch() {
        start = archive.nextStart();
        List<String> command = new ArrayList<>(start.jvmOptions());
        command.addAll(serverCommand);
        process = ChildProcess.startJava(name, command, log);
        if (closed) {
            // the stack stopped while this node was being restarted: nothing may outlive it
            process.close();
            throw new IllegalStateException(name + " not restarted: the stack is stopping");
        }
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

    /** Waits until this node answers an admin request; fails with its log's tail if it exits or takes too long. */
    void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited:\n" + process.logTail(40));
                }
                try {
                    admin.describeCluster().nodes().get();
                    start.afterReady(process); // its outcome shows in the next start's options, not worth a line
                    return;
                } catch (ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        // killed, not stopped on purpose: a supervisor counts it as one more failed start
                        process.kill();
                        throw new IllegalStateException(name + " was not ready within " + READY_TIMEOUT
                                + ":\n" + process.logTail(40));
                    }
                    Thread.sleep(250);
                }
            }
        }
    }

    private static Path writeLogConfig(Path dir) throws IOException {
        Path file = dir.resolve("kafka-log4j2.properties");
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

    @Override
    public void close() {
        closed = true;
        if (process != null) {
            process.close();
        }
    }
}
