package io.moestream.core.topics;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The record headers the pipeline's services read and write ({@link Topics#REPLY_TO_HEADER}, the dead-letter
 * headers): one implementation for both sides of every topic.
 */
public final class WireHeaders {
    private static final int SHOWN_CHARACTERS = 100;

    private WireHeaders() {
    }

    /** The reply topic a record names, or null when its reply-to header is missing or has no value. */
    public static String replyTo(Headers headers) {
        Header header = headers.lastHeader(Topics.REPLY_TO_HEADER);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Why {@code replyTo} (a reply-to header's value, null when missing) cannot be answered to, or empty when it is one
     * of {@code topics}' reply topics ({@link Topics#isReplyTopic}).
     */
    public static Optional<String> replyToProblem(Topics topics, String replyTo) {
        if (replyTo == null || replyTo.isBlank()) {
            return Optional.of("missing header " + Topics.REPLY_TO_HEADER + " (the gateway's reply topic)");
        }
        if (!topics.isReplyTopic(replyTo)) {
            return Optional.of("header " + Topics.REPLY_TO_HEADER + " is '" + printable(replyTo)
                    + "', not a reply topic (" + topics.replyTopicPrefix() + "{gateway})");
        }
        return Optional.empty();
    }

    /**
     * The headers of a dead letter of a record from {@code sourceTopic} with {@code headers}: a copy of them (the
     * record as consumed stays untouched) whose reason and source headers say why and whence, replacing any it had.
     */
    public static Headers deadLetter(Headers headers, String reason, String sourceTopic) {
        Headers letter = new RecordHeaders(headers.toArray());
        letter.remove(Topics.DLQ_REASON_HEADER);
        letter.remove(Topics.DLQ_SOURCE_HEADER);
        letter.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        letter.add(Topics.DLQ_SOURCE_HEADER, sourceTopic.getBytes(StandardCharsets.UTF_8));
        return letter;
    }

    /** At most 100 characters of a header value for a message, control characters shown as '?'. */
    static String printable(String value) {
        String cut = value.length() > SHOWN_CHARACTERS ? value.substring(0, SHOWN_CHARACTERS) + "..." : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
