package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BrokerClusterTest {
    private static final long GIB = 1L << 30;

    @Test
    void aCountBelowOneOrBeyondHalfTheMachinesMemoryIsRefused() {
        assertThatThrownBy(() -> BrokerCluster.checkCount(0, 16 * GIB)).hasMessage("--brokers must be at least 1 (got 0)");
        assertThatThrownBy(() -> BrokerCluster.checkCount(-2, 16 * GIB)).hasMessageContaining("at least 1 (got -2)");
        assertThatThrownBy(() -> BrokerCluster.checkCount(9, 16 * GIB))
                .hasMessageContaining("--brokers 9 needs about 9 GiB").hasMessageContaining("at most 8 brokers here");
        BrokerCluster.checkCount(8, 16 * GIB);
    }

    @Test
    void threeBrokersReplicateThriceAndNeedTwoInSyncCopies() {
        Properties p = BrokerCluster.serverProperties(2, 3, "1@a:1,2@a:2,3@a:3", Path.of("/d"), 9092, 9093, null);
        assertThat(p.getProperty("process.roles")).isEqualTo("broker,controller");
        assertThat(p.getProperty("default.replication.factor")).isEqualTo("3");
        assertThat(p.getProperty("offsets.topic.replication.factor")).isEqualTo("3");
        assertThat(p.getProperty("min.insync.replicas")).isEqualTo("2");
        assertThat(p.getProperty("broker.session.timeout.ms")).isEqualTo("4000");
        assertThat(p.getProperty("controller.quorum.fetch.timeout.ms")).isEqualTo("1000");
        assertThat(p.getProperty("controller.quorum.election.timeout.ms")).isEqualTo("500");
    }

    @Test
    void beyondThreeNodesTheRestAreBrokersOnlyAndOneBrokerKeepsOneReplica() {
        Properties fourth = BrokerCluster.serverProperties(4, 4, "1@a:1,2@a:2,3@a:3", Path.of("/d"), 9092, 0, null);
        assertThat(fourth.getProperty("process.roles")).isEqualTo("broker");
        assertThat(fourth.getProperty("listeners")).isEqualTo("PLAINTEXT://127.0.0.1:9092");
        assertThat(fourth.getProperty("default.replication.factor")).isEqualTo("3");
        Properties single = BrokerCluster.serverProperties(1, 1, "1@a:1", Path.of("/d"), 9092, 9093, null);
        assertThat(single.getProperty("default.replication.factor")).isEqualTo("1");
        assertThat(single.getProperty("min.insync.replicas")).isEqualTo("1");
        assertThat(single.getProperty("broker.session.timeout.ms")).isNull();
        assertThat(single.getProperty("controller.quorum.fetch.timeout.ms")).isNull();
    }

    @Test
    void onAClusterEveryServicesClientsLookForANewLeaderAtLeastFourTimesASecond() {
        assertThat(BrokerCluster.clientProperties(3))
                .containsEntry("kafka.retry.backoff.max.ms", "250")
                .containsEntry("router-service:kafka-streams.retry.backoff.max.ms", "250");
        assertThat(LocalStack.propertiesFor("router-service", BrokerCluster.clientProperties(3)))
                .containsEntry("kafka-streams.retry.backoff.max.ms", "250");
        assertThat(LocalStack.propertiesFor("expert-service", BrokerCluster.clientProperties(3)))
                .containsEntry("kafka.retry.backoff.max.ms", "250");
        assertThat(BrokerCluster.clientProperties(1)).as("one broker: no leader to move to").isEmpty();
        assertThat(BrokerCluster.clientProperties(0)).as("an existing cluster: its own settings").isEmpty();
    }
}
