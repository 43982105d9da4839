package io.moestream.tools.replay;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.moestream.core.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The headers a replayed record gets on the target: the reply topic ({@link Topics#REPLY_TO_HEADER}) moved from the
 * source pipeline's names to the target's, so that the target's router and experts answer on the target's reply
 * topic and never on production's; {@link #REPLAY_OF_HEADER} naming the original record; the other headers kept
 * unless dropped by name.
 */
final class HeaderRewrite {
    /** Header on every replayed record: the original's {@code topic-partition@offset}, to trace it back. */
    static final String REPLAY_OF_HEADER = "moe-replay-of";

    private final Topics source;
    private final Topics target;
    private final Set<String> dropped;

    HeaderRewrite(Topics source, Topics target, Set<String> dropped) {
        if (dropped.contains(Topics.REPLY_TO_HEADER)) {
            throw new IllegalArgumentException("header " + Topics.REPLY_TO_HEADER
                    + " cannot be dropped: the router and the experts refuse records without a reply topic");
        }
        this.source = source;
        this.target = target;
        this.dropped = Set.copyOf(dropped);
    }

    List<Header> apply(ReplayRecord record) {
        List<Header> out = new ArrayList<>();
        for (Header h : record.headers()) {
            if (dropped.contains(h.key()) || h.key().equals(REPLAY_OF_HEADER)) {
                continue;
            }
            if (h.key().equals(Topics.REPLY_TO_HEADER)) {
                String replyTo = targetReplyTopic(new String(h.value(), UTF_8), record);
                out.add(new RecordHeader(Topics.REPLY_TO_HEADER, replyTo.getBytes(UTF_8)));
            } else {
                out.add(h);
            }
        }
        out.add(new RecordHeader(REPLAY_OF_HEADER, record.origin().getBytes(UTF_8)));
        return out;
    }

    /** Each source reply topic named by the records, with the target reply topic it becomes. */
    Map<String, String> replyTopics(List<ReplayRecord> records) {
        Map<String, String> topics = new TreeMap<>();
        for (ReplayRecord r : records) {
            for (Header h : r.headers()) {
                if (h.key().equals(Topics.REPLY_TO_HEADER)) {
                    String original = new String(h.value(), UTF_8);
                    topics.put(original, targetReplyTopic(original, r));
                }
            }
        }
        return topics;
    }

    private String targetReplyTopic(String original, ReplayRecord record) {
        // the gateway instance id is what follows the source's reply-topic stem
        String stem = source.replies("");
        if (!original.startsWith(stem) || original.length() == stem.length()) {
            throw new IllegalArgumentException("record " + record.origin() + " has reply topic '" + original
                    + "', which is not a reply topic of the source pipeline (" + stem + "{gateway}); set --source-prefix");
        }
        return target.replies(original.substring(stem.length()));
    }
}
