package io.moestream.tools.replay;

import io.moestream.core.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Which records to replay, per partition. A time range is turned into offsets by the broker's time index (the
 * admin API's offsets-for-timestamp), so finding the range reads no records, however long the topic.
 */
final class OffsetRanges {
    private static final Pattern EXPLICIT = Pattern.compile("([^:]+):(\\d+)=(\\d+)-(\\d+)");

    private OffsetRanges() {
    }

    /** The records of every partition of {@code topics} whose timestamp is in {@code [from, to)}. */
    static List<OffsetRange> forTimeRange(Admin admin, Collection<String> topics, Instant from, Instant to)
            throws InterruptedException {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the time range is empty: --from " + from + " is not before --to " + to);
        }
        List<TopicPartition> partitions = partitionsOf(admin, topics);
        Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.forTimestamp(from.toEpochMilli()));
        Map<TopicPartition, Long> stops = offsets(admin, partitions, OffsetSpec.forTimestamp(to.toEpochMilli()));
        Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
        List<OffsetRange> ranges = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            ranges.add(combine(tp, starts.get(tp), stops.get(tp), ends.get(tp)));
        }
        return ranges;
    }

    /** The records of every partition of {@code topics} from the first at or after {@code from} to the end. */
    static List<OffsetRange> sinceTime(Admin admin, Collection<String> topics, Instant from) throws InterruptedException {
        List<TopicPartition> partitions = partitionsOf(admin, topics);
        Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.forTimestamp(from.toEpochMilli()));
        Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
        return partitions.stream().map(tp -> combine(tp, starts.get(tp), -1, ends.get(tp))).toList();
    }

    /**
     * The range from the answers of the three offset queries. A timestamp query answers -1 when no record is at or
     * after that time: the range then starts (or stops) at the end of the partition.
     */
    static OffsetRange combine(TopicPartition tp, long firstAtFrom, long firstAtTo, long end) {
        long start = firstAtFrom < 0 ? end : firstAtFrom;
        long stop = firstAtTo < 0 ? end : firstAtTo;
        return new OffsetRange(tp, start, Math.max(start, stop));
    }

    /** Parses explicit ranges {@code TOPIC:PARTITION=FROM-TO} (TO exclusive), TOPIC as in {@link TopicRef}. */
    static OffsetRange parseExplicit(String text, Topics topics) {
        Matcher m = EXPLICIT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot read the offsets '" + text
                    + "': use TOPIC:PARTITION=FROM-TO with TO exclusive, e.g. tokens:0=120-340 or L0.e3:0=0-50");
        }
        String topic = TopicRef.parse(m.group(1)).name(topics);
        long from = Long.parseLong(m.group(3));
        long to = Long.parseLong(m.group(4));
        if (to < from) {
            throw new IllegalArgumentException("offsets '" + text + "' end before they start");
        }
        return new OffsetRange(new TopicPartition(topic, Integer.parseInt(m.group(2))), from, to);
    }

    static List<TopicPartition> partitionsOf(Admin admin, Collection<String> topics) throws InterruptedException {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
                d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
            }
            return partitions;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe topics " + topics + ": " + e.getCause().getMessage(), e);
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, spec));
        try {
            Map<TopicPartition, ListOffsetsResultInfo> answers = admin.listOffsets(query).all().get();
            Map<TopicPartition, Long> offsets = new HashMap<>();
            answers.forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list offsets of " + partitions + ": " + e.getCause().getMessage(), e);
        }
    }
}
