package io.moestream.core.topics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class WireHeadersTest {
    private static final Topics TOPICS = new Topics("blue.");

    @Test
    void shouldReadTheLastReplyToHeader() {
        Headers headers = new RecordHeaders();
        headers.add(Topics.REPLY_TO_HEADER, "blue.moe.replies.a".getBytes(UTF_8));
        headers.add(Topics.REPLY_TO_HEADER, "blue.moe.replies.b".getBytes(UTF_8));

        assertThat(WireHeaders.replyTo(headers)).isEqualTo("blue.moe.replies.b");
    }

    @Test
    void shouldReadNullWhenTheReplyToHeaderIsMissingOrEmpty() {
        Headers valueless = new RecordHeaders();
        valueless.add(Topics.REPLY_TO_HEADER, null);

        assertThat(WireHeaders.replyTo(new RecordHeaders())).isNull();
        assertThat(WireHeaders.replyTo(valueless)).isNull();
    }

    @Test
    void shouldAcceptOnlyThePipelinesReplyTopics() {
        assertThat(WireHeaders.replyToProblem(TOPICS, "blue.moe.replies.gw1")).isEmpty();
        assertThat(WireHeaders.replyToProblem(TOPICS, null))
                .contains("missing header moe-reply-to (the gateway's reply topic)");
        assertThat(WireHeaders.replyToProblem(TOPICS, " ")).contains("missing header moe-reply-to (the gateway's reply topic)");
        assertThat(WireHeaders.replyToProblem(TOPICS, "blue.moe.dlq"))
                .contains("header moe-reply-to is 'blue.moe.dlq', not a reply topic (blue.moe.replies.{gateway})");
    }

    @Test
    void shouldShowAtMostAHundredPrintableCharactersOfABadReplyTo() {
        String bad = "x\n".repeat(60);

        String problem = WireHeaders.replyToProblem(TOPICS, bad).orElseThrow();

        assertThat(problem).contains("'" + "x?".repeat(50) + "...'").doesNotContain("\n");
    }

    @Test
    void shouldMarkACopyOfTheHeadersAsADeadLetter() {
        Headers original = new RecordHeaders();
        original.add(Topics.REPLY_TO_HEADER, "blue.moe.replies.gw1".getBytes(UTF_8));
        original.add(Topics.DLQ_REASON_HEADER, "an older reason".getBytes(UTF_8));

        Headers letter = WireHeaders.deadLetter(original, "bad dtype", "blue.moe.tokens");

        assertThat(value(letter, Topics.DLQ_REASON_HEADER)).isEqualTo("bad dtype");
        assertThat(value(letter, Topics.DLQ_SOURCE_HEADER)).isEqualTo("blue.moe.tokens");
        assertThat(letter.headers(Topics.DLQ_REASON_HEADER)).hasSize(1);
        assertThat(value(letter, Topics.REPLY_TO_HEADER)).isEqualTo("blue.moe.replies.gw1");
        assertThat(value(original, Topics.DLQ_REASON_HEADER)).isEqualTo("an older reason");
        assertThat(original.lastHeader(Topics.DLQ_SOURCE_HEADER)).isNull();
    }

    private static String value(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), UTF_8);
    }
}
