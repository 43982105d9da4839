package io.moestream.tools.replay;

import io.moestream.core.topics.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Which recorded records to replay: the topics (by role) and either a time range or explicit offset ranges.
 *
 * @param from    start of the time range, inclusive (null with explicit offsets)
 * @param to      end of the time range, exclusive
 * @param offsets explicit ranges ({@link OffsetRanges#parseExplicit}); when not empty, they are the selection
 */
public record RecordSelection(List<TopicRef> topics, Instant from, Instant to, List<String> offsets) {

    /** The selection as offset ranges of the source cluster, found without reading any record. */
    List<OffsetRange> ranges(String bootstrap, Topics source) throws InterruptedException {
        if (!offsets.isEmpty()) {
            return offsets.stream().map(o -> OffsetRanges.parseExplicit(o, source)).toList();
        }
        if (from == null) {
            throw new IllegalArgumentException("say which records to replay: --from (and --to), or --offsets");
        }
        List<String> names = topics.stream().map(t -> t.name(source)).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return OffsetRanges.forTimeRange(admin, names, from, to);
        }
    }
}
