package io.moestream.expert.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientConfigsTest {

    @Test
    void consumerIsAStaticMemberOnlyWithAnInstanceIdAndNeverAutoCommits() {
        Map<String, Object> base = Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);

        Map<String, Object> named = KafkaClientConfigs.consumer(base, "g", Optional.of("pod-1-L0-e3"));
        Map<String, Object> unnamed = KafkaClientConfigs.consumer(base, "g", Optional.empty());

        assertThat(named).containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "pod-1-L0-e3")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        assertThat(unnamed).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        assertThat(named).containsEntry(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
    }

    @Test
    void sessionTimeoutCanBeSetButIdempotenceAndAcksCannot() {
        Map<String, Object> base = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 20000,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1");

        assertThat(KafkaClientConfigs.consumer(base, "g", Optional.empty()))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 20000)
                .doesNotContainKey(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
        assertThat(KafkaClientConfigs.producer(base)).containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
    }
}
