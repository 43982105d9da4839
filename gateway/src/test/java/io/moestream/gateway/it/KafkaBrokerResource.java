package io.moestream.gateway.it;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Starts a single-node KRaft broker in the test JVM, creates {@code moe.tokens} as the launcher would, and
 * generates a small seeded model; the packaged gateway is then started against them.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {
    /** Short, so the test of a chunk whose experts never answer does not wait long. */
    static final String CHUNK_DEADLINE = "3s";
    static final ModelSpec MODEL = new ModelSpec(2, 4, 2, 16, 32, 42L);

    private KafkaClusterTestKit cluster;
    private Path modelDir;
    private PipelineEnv env;

    @Override
    public Map<String, String> start() {
        try {
            cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.DEFAULT.tokens(), 2, (short) 1))).all().get();
            }
            modelDir = Files.createTempDirectory("gateway-it-model");
            ModelGenerator.generate(modelDir, MODEL);
            env = new PipelineEnv(cluster.bootstrapServers(), modelDir, freePort());
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test broker", e);
        }
        return Map.of(
                "kafka.bootstrap.servers", env.bootstrapServers(),
                "moe.model.dir", modelDir.toString(),
                "moe.gateway.chunk-deadline", CHUNK_DEADLINE,
                "moe.gateway.instance-id", "it",
                "quarkus.grpc.server.port", Integer.toString(env.grpcPort()));
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(env, new TestInjector.MatchesType(PipelineEnv.class));
    }

    @Override
    public void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
            if (modelDir != null) {
                try (Stream<Path> files = Files.walk(modelDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(KafkaBrokerResource::delete);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the test broker", e);
        }
    }

    private static void delete(Path path) {
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
