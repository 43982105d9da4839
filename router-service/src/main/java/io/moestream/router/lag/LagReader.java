package io.moestream.router.lag;

import io.moestream.core.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one expert group's lag: committed offsets from the admin client, log start and end offsets and, for a partition
 * with lag, the timestamp of the first uncommitted task (one record fetched by an assigned consumer, no group).
 */
final class LagReader {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> peek;
    private final Topics topics;

    LagReader(Admin admin, KafkaConsumer<byte[], byte[]> peek, Topics topics) {
        this.admin = admin;
        this.peek = peek;
        this.topics = topics;
    }

    ExpertLag read(int layer, int expert, long nowMs) throws InterruptedException, ExecutionException, TimeoutException {
        String topic = topics.expert(layer, expert);
        List<TopicPartition> partitions = peek.partitionsFor(topic, TIMEOUT).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(topics.expertGroup(layer, expert))
                .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> starts = peek.beginningOffsets(partitions, TIMEOUT);
        Map<TopicPartition, Long> ends = peek.endOffsets(partitions, TIMEOUT);
        long committedSum = 0;
        long lag = 0;
        Map<TopicPartition, Long> firstWaiting = new HashMap<>();
        for (TopicPartition p : partitions) {
            OffsetAndMetadata c = committed.get(p);
            // a group that never committed on a partition owes everything still in the log
            long position = Math.max(c == null ? 0 : c.offset(), starts.get(p));
            committedSum += position;
            if (ends.get(p) > position) {
                lag += ends.get(p) - position;
                firstWaiting.put(p, position);
            }
        }
        return new ExpertLag(layer, expert, committedSum, lag, oldestAge(firstWaiting, nowMs));
    }

    private long oldestAge(Map<TopicPartition, Long> firstWaiting, long nowMs) {
        if (firstWaiting.isEmpty()) {
            return 0;
        }
        peek.assign(firstWaiting.keySet());
        firstWaiting.forEach(peek::seek);
        long oldest = nowMs;
        Map<TopicPartition, Boolean> seen = new HashMap<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (seen.size() < firstWaiting.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : peek.poll(Duration.ofMillis(200))) {
                TopicPartition p = new TopicPartition(r.topic(), r.partition());
                if (seen.putIfAbsent(p, true) == null) {
                    oldest = Math.min(oldest, r.timestamp());
                }
                peek.pause(List.of(p));
            }
        }
        peek.unsubscribe();
        return Math.max(0, nowMs - oldest);
    }
}
