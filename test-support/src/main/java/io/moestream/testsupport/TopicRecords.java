package io.moestream.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what is on topic partitions from their start, outside any consumer group, as a test checks what a service
 * wrote: up to the ends the partitions have now, or until a count of records has arrived.
 */
public final class TopicRecords {
    private static final Duration POLL = Duration.ofMillis(500);

    private TopicRecords() {
    }

    /** Every record from the start of {@code partitions} to their ends at the time of the call. */
    public static List<ConsumerRecord<String, byte[]>> toEnd(Map<String, Object> clientConfig,
            Collection<TopicPartition> partitions, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(clientConfig, partitions)) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long giveUp = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > giveUp) {
                    throw new AssertionError("could not read " + partitions + " to " + ends + " within " + timeout);
                }
                consumer.poll(POLL).forEach(records::add);
            }
        }
        return records;
    }

    /** The records of {@code partitions} from their start, polled until {@code count} have arrived or the timeout. */
    public static List<ConsumerRecord<String, byte[]>> atLeast(Map<String, Object> clientConfig,
            Collection<TopicPartition> partitions, int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(clientConfig, partitions)) {
            long giveUp = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < giveUp) {
                consumer.poll(POLL).forEach(records::add);
            }
        }
        return records;
    }

    /** The client settings of a plain connection to {@code bootstrap}. */
    public static Map<String, Object> plain(String bootstrap) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    }

    private static KafkaConsumer<String, byte[]> consumer(Map<String, Object> clientConfig,
            Collection<TopicPartition> partitions) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}
