package io.moestream.tools.tail;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic's records from a point (its start, a time, or its last few per partition) with no consumer group, so
 * it moves no one's offsets: up to the end it saw at the start, or on until stopped.
 */
public final class TopicTail {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration METADATA = Duration.ofSeconds(30);

    /** Where to start: at {@code since} if set, else {@code last} records before each partition's end. */
    public record From(Instant since, long last) {
    }

    private TopicTail() {
    }

    /** Hands each record to {@code sink} in each partition's order; returns how many it read. */
    public static long read(Map<String, Object> client, String topic, From from, boolean follow,
                            Consumer<ConsumerRecord<String, byte[]>> sink) {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist (is the stack running, with this"
                        + " topic prefix?)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, METADATA);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, METADATA);
            Map<TopicPartition, OffsetAndTimestamp> atTime = from.since() == null ? Map.of()
                    : consumer.offsetsForTimes(timesOf(partitions, from.since()), METADATA);
            for (TopicPartition p : partitions) {
                long offset = from.since() != null
                        ? (atTime.get(p) == null ? ends.get(p) : atTime.get(p).offset())
                        : Math.max(starts.get(p), ends.get(p) - from.last());
                consumer.seek(p, offset);
            }
            long read = 0;
            while (follow || partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (follow || record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        sink.accept(record);
                        read++;
                    }
                }
            }
            return read;
        }
    }

    private static Map<TopicPartition, Long> timesOf(List<TopicPartition> partitions, Instant since) {
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, since.toEpochMilli()));
        return times;
    }
}
