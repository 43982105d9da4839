package io.moestream.router.lag;

import io.moestream.core.placement.ExpertId;
import io.moestream.core.topics.ExpertGroupOffsets;
import io.moestream.core.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the lag of every served expert in a few batched requests, however many experts there are: the expert topics'
 * partitions, the furthest offset any expert group committed on each (an expert served by a group it just moved to
 * counts from where its old group stopped, moe-core {@code ExpertGroupOffsets}), log start and end offsets, and, for
 * a partition with lag, the timestamp of the first uncommitted task (one record fetched by an assigned consumer, no
 * group).
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

    /** The lag of each of {@code experts} whose topic exists, in the order given. */
    List<ExpertLag> readAll(List<ExpertId> experts, long nowMs) throws InterruptedException {
        Map<String, List<PartitionInfo>> existing = peek.listTopics(TIMEOUT);
        Map<ExpertId, List<TopicPartition>> partitionsOf = new LinkedHashMap<>();
        List<TopicPartition> all = new ArrayList<>();
        for (ExpertId id : experts) {
            String topic = topics.expert(id.layer(), id.expert());
            List<TopicPartition> partitions = existing.getOrDefault(topic, List.of()).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (!partitions.isEmpty()) {
                partitionsOf.put(id, partitions);
                all.addAll(partitions);
            }
        }
        Map<TopicPartition, Long> committed = ExpertGroupOffsets.furthest(admin, topics, all);
        Map<TopicPartition, Long> starts = peek.beginningOffsets(all, TIMEOUT);
        Map<TopicPartition, Long> ends = peek.endOffsets(all, TIMEOUT);
        List<ExpertLag> lags = new ArrayList<>(partitionsOf.size());
        Map<TopicPartition, Long> firstWaiting = new HashMap<>();
        Map<ExpertId, long[]> sums = new LinkedHashMap<>();
        partitionsOf.forEach((id, partitions) -> {
            long committedSum = 0;
            long lag = 0;
            for (TopicPartition p : partitions) {
                // a partition no group ever committed owes everything still in the log
                long position = Math.max(committed.getOrDefault(p, 0L), starts.get(p));
                committedSum += position;
                if (ends.get(p) > position) {
                    lag += ends.get(p) - position;
                    firstWaiting.put(p, position);
                }
            }
            sums.put(id, new long[] {committedSum, lag});
        });
        Map<TopicPartition, Long> firstTimestamps = firstTimestamps(firstWaiting);
        partitionsOf.forEach((id, partitions) -> {
            long oldest = partitions.stream().filter(firstTimestamps::containsKey).mapToLong(firstTimestamps::get)
                    .min().orElse(nowMs);
            long[] sum = sums.get(id);
            lags.add(new ExpertLag(id.layer(), id.expert(), sum[0], sum[1], Math.max(0, nowMs - oldest)));
        });
        return lags;
    }

    /** The timestamp of the record at each given offset (the first task waiting on that partition). */
    private Map<TopicPartition, Long> firstTimestamps(Map<TopicPartition, Long> firstWaiting) {
        Map<TopicPartition, Long> seen = new HashMap<>();
        if (firstWaiting.isEmpty()) {
            return seen;
        }
        peek.assign(firstWaiting.keySet());
        firstWaiting.forEach(peek::seek);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (seen.size() < firstWaiting.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : peek.poll(Duration.ofMillis(200))) {
                TopicPartition p = new TopicPartition(r.topic(), r.partition());
                if (seen.putIfAbsent(p, r.timestamp()) == null) {
                    peek.pause(List.of(p));
                }
            }
        }
        peek.unsubscribe();
        return seen;
    }
}
