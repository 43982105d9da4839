package io.moestream.tools.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.topics.StreamRequestIds;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.TokenChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Where a single chunk's round trip goes, stage by stage, read from the broker: with the pipeline's topics set to
 * {@code LogAppendTime}, every record carries the broker's clock at the moment it was written, so the token chunk,
 * the last expert task and the last expert result of each chunk split the round trip into gateway-in, router,
 * experts and gateway-out (millisecond resolution; the broker and the bench share one clock).
 */
final class StageTimes {
    private static final Duration POLL = Duration.ofMillis(500);

    private final String bootstrap;

    StageTimes(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Switches every pipeline topic (tokens, experts, replies) to broker append timestamps. */
    void useAppendTime() throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            AlterConfigOp appendTime = new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                    "LogAppendTime"), AlterConfigOp.OpType.SET);
            Map<ConfigResource, java.util.Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
            for (String topic : pipelineTopics(admin)) {
                changes.put(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(appendTime));
            }
            admin.incrementalAlterConfigs(changes).all().get();
        }
    }

    /** Per stage, the distribution over the chunks {@code [from, sent.length)} of request {@code requestId}. */
    Map<String, LatencySummary> read(String requestId, long[] sentMillis, long[] receivedMillis, int from)
            throws InterruptedException, ExecutionException {
        int chunks = sentMillis.length;
        long[] token = new long[chunks];
        long[] lastTask = new long[chunks];
        long[] lastResult = new long[chunks];
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                     ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20),
                     new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : pipelineTopics(admin)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    // the gateway writes the client's id with a per-stream suffix (StreamRequestIds)
                    if (record.key() != null && requestId.equals(StreamRequestIds.clientPart(record.key()))) {
                        note(record, token, lastTask, lastResult);
                    }
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a pipeline record of the latency probe cannot be read", e);
        }
        Map<String, LatencySummary> stages = new LinkedHashMap<>();
        stages.put("client to token topic", between(sentMillis, token, from));
        stages.put("router (token to last task)", between(token, lastTask, from));
        stages.put("experts (last task to last result)", between(lastTask, lastResult, from));
        stages.put("gateway to client (last result to output)", between(lastResult, receivedMillis, from));
        return stages;
    }

    private static void note(ConsumerRecord<String, byte[]> record, long[] token, long[] lastTask, long[] lastResult)
            throws InvalidProtocolBufferException {
        long at = record.timestamp();
        String topic = record.topic();
        if (topic.equals(Topics.DEFAULT.tokens())) {
            token[(int) TokenChunk.parseFrom(record.value()).getSeq()] = at;
        } else if (topic.contains(".replies.")) {
            Reply reply = Reply.parseFrom(record.value());
            if (reply.hasResult()) {
                int seq = (int) reply.getResult().getSeq();
                lastResult[seq] = Math.max(lastResult[seq], at);
            }
        } else {
            int seq = (int) ExpertTask.parseFrom(record.value()).getSeq();
            lastTask[seq] = Math.max(lastTask[seq], at);
        }
    }

    private static LatencySummary between(long[] start, long[] end, int from) {
        Histogram micros = LatencySummary.newHistogram();
        for (int i = from; i < start.length; i++) {
            if (start[i] == 0 || end[i] == 0) {
                throw new IllegalStateException("chunk " + i + " of the latency probe is missing a record on the topics");
            }
            micros.recordValue(Math.max(1, (end[i] - start[i]) * 1000));
        }
        return LatencySummary.of(micros);
    }

    private static List<String> pipelineTopics(Admin admin) throws InterruptedException, ExecutionException {
        return admin.listTopics().names().get().stream()
                .filter(t -> t.equals(Topics.DEFAULT.tokens()) || t.startsWith("moe.L") || t.startsWith("moe.replies."))
                .sorted()
                .toList();
    }
}
