package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.moestream.core.topics.TopicProvisioner;
import io.moestream.core.topics.Topics;

class EmbeddedKafkaBrokerIT {

    @TempDir
    Path workDir;

    @Test
    void shouldServeTheProvisionedTopicsAsARealBroker() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(MoeHome.locate(), workDir)) {
            // given the pipeline's topics for a 2-layer, 3-expert model
            List<String> created = TopicProvisioner.createAll(broker.bootstrapServers(), Topics.DEFAULT,
                    new TreeSet<>(List.of(0, 1)), 3, 1, 2);
            assertThat(created).contains("moe.tokens", "moe.dlq", "moe.expert-load", "moe.alerts", "moe.L0.e0", "moe.L1.e2")
                    .hasSize(10);

            // when a record is produced to an expert topic
            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("moe.L1.e2", 1, "r1", "hello")).get();
            }

            // then it can be read back from that partition
            try (var consumer = new KafkaConsumer<String, String>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringDeserializer(), new StringDeserializer())) {
                TopicPartition partition = new TopicPartition("moe.L1.e2", 1);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(10));
                assertThat(records.records(partition)).singleElement()
                        .satisfies(r -> assertThat(r.value().getBytes(StandardCharsets.UTF_8)).asString().isEqualTo("hello"));
            }
            // and creating the topics again is a no-op, not an error
            assertThat(TopicProvisioner.createAll(broker.bootstrapServers(), Topics.DEFAULT,
                    new TreeSet<>(List.of(0, 1)), 3, 1, 2)).isEmpty();
        }
    }
}
