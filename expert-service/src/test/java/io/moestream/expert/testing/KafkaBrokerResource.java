package io.moestream.expert.testing;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * A single-node KRaft broker and a generated model for a {@code @QuarkusTest}: creates the pipeline's topics
 * (as the launcher would) and hands the service its broker, model and experts.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {
    /** Two MoE layers, four experts, top-2. */
    public static final ModelSpec SPEC = new ModelSpec(2, 4, 2, 16, 24, 5L);
    public static final String REPLY_TOPIC = Topics.DEFAULT.replies("it");
    /** The experts the service under test serves; the others have topics but no worker. */
    public static final String SERVED = "0:1,1:2";

    private KafkaClusterTestKit cluster;
    private Path modelDir;

    @Override
    public Map<String, String> start() {
        try {
            modelDir = Files.createTempDirectory("moe-expert-it");
            ModelGenerator.generate(modelDir, SPEC);
            cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            createTopics(cluster.bootstrapServers());
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test broker", e);
        }
        return Map.of(
                "kafka.bootstrap.servers", cluster.bootstrapServers(),
                "moe.model.dir", modelDir.toString(),
                "moe.expert.experts", SERVED,
                // small batches and a generous wait, so that one window spans several kernel calls
                "moe.expert.max-batch-rows", "8",
                "moe.expert.max-wait", "50ms");
    }

    @Override
    public void stop() {
        try {
            cluster.close();
            try (Stream<Path> files = Files.walk(modelDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(KafkaBrokerResource::delete);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the test broker", e);
        }
    }

    private static void createTopics(String bootstrap) throws Exception {
        Topics topics = Topics.DEFAULT;
        List<NewTopic> newTopics = new ArrayList<>();
        newTopics.add(new NewTopic(topics.tokens(), 1, (short) 1));
        newTopics.add(new NewTopic(topics.deadLetters(), 1, (short) 1));
        newTopics.add(new NewTopic(REPLY_TOPIC, 1, (short) 1));
        for (int layer = 0; layer < SPEC.layers(); layer++) {
            for (int expert = 0; expert < SPEC.experts(); expert++) {
                newTopics.add(new NewTopic(topics.expert(layer, expert), 1, (short) 1));
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(newTopics).all().get();
        }
    }

    private static void delete(Path path) {
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
