package io.moestream.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.testsupport.TestKafkaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** A time range becomes the offsets of exactly the records inside it, by the broker's time index. */
class OffsetRangesIT {
    static final String TOPIC = "moe.tokens";
    static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @Test
    void shouldMapTimeRangesToTheOffsetsOfTheRecordsInside() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start()) {
            // given five records at 1000, 2000, ... 5000 ms
            kafka.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)));
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                for (int i = 1; i <= 5; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, 0, i * 1000L, null, new byte[] {(byte) i})).get();
                }
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                // then [2000, 4000) holds offsets 1 and 2, [2500, 60000) offsets 2..4, and a later range none
                assertThat(OffsetRanges.forTimeRange(admin, List.of(TOPIC), ms(2000), ms(4000)))
                        .containsExactly(new OffsetRange(TP, 1, 3));
                assertThat(OffsetRanges.forTimeRange(admin, List.of(TOPIC), ms(2500), ms(60_000)))
                        .containsExactly(new OffsetRange(TP, 2, 5));
                assertThat(OffsetRanges.forTimeRange(admin, List.of(TOPIC), ms(6000), ms(7000)))
                        .containsExactly(new OffsetRange(TP, 5, 5));
                assertThat(OffsetRanges.sinceTime(admin, List.of(TOPIC), ms(3000)))
                        .containsExactly(new OffsetRange(TP, 2, 5));
            }
            // and reading the range gives back exactly those records
            List<ReplayRecord> read = RangeReader.read(kafka.bootstrapServers(), List.of(new OffsetRange(TP, 1, 3)),
                    Duration.ofSeconds(30));
            assertThat(read).extracting(ReplayRecord::timestamp).containsExactly(2000L, 3000L);
        }
    }

    private static Instant ms(long millis) {
        return Instant.ofEpochMilli(millis);
    }
}
