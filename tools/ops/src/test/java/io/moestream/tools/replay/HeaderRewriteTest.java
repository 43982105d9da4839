package io.moestream.tools.replay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.topics.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class HeaderRewriteTest {
    static final Topics SHADOW = new Topics("shadow.");

    @Test
    void shouldSendTheShadowsAnswersToTheShadowReplyTopic() {
        ReplayRecord record = record(Topics.DEFAULT.replies("gw7"), new RecordHeader("trace-id", "t-1".getBytes(UTF_8)));

        Map<String, String> headers = asMap(new HeaderRewrite(Topics.DEFAULT, SHADOW, Set.of()).apply(record));

        assertThat(headers).containsEntry(Topics.REPLY_TO_HEADER, SHADOW.replies("gw7"))
                .containsEntry("trace-id", "t-1")
                .containsEntry(HeaderRewrite.REPLAY_OF_HEADER, "moe.tokens-0@17");
    }

    @Test
    void shouldMoveBetweenTwoPrefixes() {
        ReplayRecord record = record(new Topics("blue.").replies("gw1"));
        Map<String, String> headers = asMap(new HeaderRewrite(new Topics("blue."), new Topics("green."), Set.of()).apply(record));
        assertThat(headers).containsEntry(Topics.REPLY_TO_HEADER, new Topics("green.").replies("gw1"));
    }

    @Test
    void shouldDropTheNamedHeadersOnly() {
        ReplayRecord record = record(Topics.DEFAULT.replies("gw7"), new RecordHeader("trace-id", "t".getBytes(UTF_8)),
                new RecordHeader("tenant", "a".getBytes(UTF_8)));

        Map<String, String> headers = asMap(new HeaderRewrite(Topics.DEFAULT, SHADOW, Set.of("trace-id")).apply(record));

        assertThat(headers).containsOnlyKeys(Topics.REPLY_TO_HEADER, "tenant", HeaderRewrite.REPLAY_OF_HEADER);
    }

    @Test
    void shouldListEachReplyTopicWithItsTarget() {
        List<ReplayRecord> records = List.of(record(Topics.DEFAULT.replies("a")), record(Topics.DEFAULT.replies("b")),
                record(Topics.DEFAULT.replies("a")));
        assertThat(new HeaderRewrite(Topics.DEFAULT, SHADOW, Set.of()).replyTopics(records)).isEqualTo(Map.of(
                Topics.DEFAULT.replies("a"), SHADOW.replies("a"), Topics.DEFAULT.replies("b"), SHADOW.replies("b")));
    }

    @Test
    void shouldRefuseAReplyTopicOutsideTheSourcePipeline() {
        // a reply topic it cannot map would send the shadow's answers to production: refuse instead
        ReplayRecord record = record("other.moe.replies.gw1");
        assertThatThrownBy(() -> new HeaderRewrite(Topics.DEFAULT, SHADOW, Set.of()).apply(record))
                .hasMessageContaining("'other.moe.replies.gw1', which is not a reply topic of the source pipeline");
    }

    @Test
    void shouldRefuseToDropTheReplyTopic() {
        assertThatThrownBy(() -> new HeaderRewrite(Topics.DEFAULT, SHADOW, Set.of(Topics.REPLY_TO_HEADER)))
                .hasMessageContaining("cannot be dropped");
    }

    private static ReplayRecord record(String replyTo, Header... more) {
        List<Header> headers = new ArrayList<>();
        headers.add(new RecordHeader(Topics.REPLY_TO_HEADER, replyTo.getBytes(UTF_8)));
        headers.addAll(List.of(more));
        return new ReplayRecord("moe.tokens", 0, 17, 1000, "r".getBytes(UTF_8), headers, new byte[1]);
    }

    private static Map<String, String> asMap(List<Header> headers) {
        Map<String, String> map = new LinkedHashMap<>();
        headers.forEach(h -> map.put(h.key(), new String(h.value(), UTF_8)));
        return map;
    }
}
