package io.moestream.tools.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads offset ranges with an assigned consumer (no group, nothing committed, so production consumers are not
 * touched) and returns their records in timestamp order, the order a replay sends them.
 */
final class RangeReader {
    static final Comparator<ReplayRecord> SEND_ORDER = Comparator.comparingLong(ReplayRecord::timestamp)
            .thenComparing(ReplayRecord::topic).thenComparingInt(ReplayRecord::partition)
            .thenComparingLong(ReplayRecord::offset);
    private static final Duration POLL = Duration.ofMillis(200);

    private RangeReader() {
    }

    static List<ReplayRecord> read(String bootstrap, List<OffsetRange> ranges, Duration timeout) {
        Map<TopicPartition, OffsetRange> open = new HashMap<>();
        ranges.stream().filter(r -> !r.isEmpty()).forEach(r -> open.put(r.partition(), r));
        List<ReplayRecord> records = new ArrayList<>();
        if (open.isEmpty()) {
            return records;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrap))) {
            consumer.assign(open.keySet());
            open.values().forEach(r -> consumer.seek(r.partition(), r.from()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!open.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + open.values() + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    OffsetRange range = open.get(tp);
                    if (range != null && r.offset() < range.to()) {
                        records.add(new ReplayRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
                                Arrays.asList(r.headers().toArray()), r.value()));
                    }
                }
                // a range is done when the consumer's position passed its end (transaction markers included)
                for (TopicPartition tp : List.copyOf(open.keySet())) {
                    if (consumer.position(tp) >= open.get(tp).to()) {
                        open.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
            }
        }
        records.sort(SEND_ORDER);
        return records;
    }

    static Properties consumerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }
}
