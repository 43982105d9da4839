package io.moestream.tools.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads reply topics into a {@link ReplyBook}: the recorded originals, or the shadow's answers as they come. */
final class ReplyCollector {
    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrap;

    ReplyCollector(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Where each partition of {@code topics} ends now: the shadow's answers to the replay come after. */
    Map<TopicPartition, Long> endOffsets(Collection<String> topics) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (TopicPartition tp : OffsetRanges.partitionsOf(admin, topics)) {
                ends.put(tp, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset());
            }
            return ends;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list the end offsets of " + topics + ": " + e.getCause().getMessage(), e);
        }
    }

    /**
     * The originals: the replies on {@code topics} from the first record at or after {@code sinceMillis} (the
     * replayed traffic's first timestamp; answers come after their requests) to the end.
     */
    ReplyBook recorded(Collection<String> topics, long sinceMillis) throws InterruptedException {
        List<OffsetRange> ranges;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            ranges = OffsetRanges.sinceTime(admin, topics, Instant.ofEpochMilli(sinceMillis));
        }
        ReplyBook book = new ReplyBook();
        RangeReader.read(bootstrap, ranges, Duration.ofMinutes(2)).forEach(r -> book.add(r.value()));
        return book;
    }

    /** The shadow's answers from {@code starts} on, until they cover {@code expected} or {@code timeout} passes. */
    ReplyBook follow(Map<TopicPartition, Long> starts, ExpectedReplies expected, Duration timeout) {
        ReplyBook book = new ReplyBook();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(RangeReader.consumerProperties(bootstrap))) {
            consumer.assign(new ArrayList<>(starts.keySet()));
            starts.forEach(consumer::seek);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!book.covers(expected) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    book.add(r.value());
                }
            }
        }
        return book;
    }
}
