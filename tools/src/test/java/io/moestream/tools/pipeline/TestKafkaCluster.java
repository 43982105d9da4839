package io.moestream.tools.pipeline;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real single-node KRaft Kafka cluster inside the test JVM, from Kafka's own test kit. */
final class TestKafkaCluster implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private TestKafkaCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static TestKafkaCluster start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                // Topics are the launcher's to create, as on the embedded broker of `moe up`.
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new TestKafkaCluster(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
