package io.moestream.testsupport;

import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.TopicProvisioner;
import io.moestream.core.topics.Topics;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka cluster inside the test JVM, from Kafka's own test kit, configured like the
 * embedded broker of {@code ./moe up}: topics are created on purpose, never on first use.
 */
public final class TestKafkaCluster implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private TestKafkaCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static TestKafkaCluster start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new TestKafkaCluster(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The launcher's topics for a model of {@code spec}: tokens, dead letters, one per (layer, expert). */
    public void createPipelineTopics(Topics topics, ModelSpec spec) throws InterruptedException {
        TopicProvisioner.createAll(bootstrapServers(), topics,
                new TreeSet<>(IntStream.range(0, spec.layers()).boxed().toList()), spec.config().servedExperts(), 1, 1);
    }

    public void createTopics(Collection<NewTopic> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(topics).all().get();
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
