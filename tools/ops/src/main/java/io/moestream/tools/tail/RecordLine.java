package io.moestream.tools.tail;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.Tensor;
import io.moestream.proto.v1.TokenChunk;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One record of a pipeline topic as one line: where it is ({@code topic[partition]@offset}, timestamp, key), what it
 * holds, decoded by the topic's schema (ids, tensor shapes and dtypes, experts; no tensor values), and its headers.
 * The operator topics' JSON is shown as it is; a dead letter's value is the rejected record, shown by its size.
 */
public final class RecordLine {
    private RecordLine() {
    }

    public static String of(Topics topics, ConsumerRecord<String, byte[]> record) {
        return record.topic() + "[" + record.partition() + "]@" + record.offset() + " "
                + Instant.ofEpochMilli(record.timestamp()) + " key=" + record.key() + " "
                + value(topics, record.topic(), record.value()) + headers(record);
    }

    private static String value(Topics topics, String topic, byte[] value) {
        if (value == null) {
            return "(no value)";
        }
        try {
            if (topic.equals(topics.tokens())) {
                return chunk(TokenChunk.parseFrom(value));
            }
            if (topics.expertOf(topic).isPresent()) {
                return task(ExpertTask.parseFrom(value));
            }
            if (topics.isReplyTopic(topic)) {
                Reply reply = Reply.parseFrom(value);
                return reply.hasManifest() ? manifest(reply.getManifest()) : result(reply.getResult());
            }
        } catch (InvalidProtocolBufferException e) {
            return "undecodable (" + e.getMessage() + "), " + value.length + " bytes";
        }
        if (topic.equals(topics.expertLoad()) || topic.equals(topics.alerts())) {
            return new String(value, StandardCharsets.UTF_8);
        }
        return value.length + " bytes";
    }

    private static String chunk(TokenChunk c) {
        return "TokenChunk{request_id=" + c.getRequestId() + " seq=" + c.getSeq() + " layer=" + c.getLayer()
                + " hidden=" + shape(c.getHidden()) + "}";
    }

    private static String task(ExpertTask t) {
        return "ExpertTask{request_id=" + t.getRequestId() + " seq=" + t.getSeq() + " layer=" + t.getLayer()
                + " expert=" + t.getExpert() + " rows=" + rows(t.getRowIndexList()) + " gate_weights="
                + t.getGateWeights().size() / Float.BYTES + " x FP32 " + shape(t.getRows()) + " gate_weight_target="
                + t.getGateWeightTarget() + "}";
    }

    private static String manifest(RouteManifest m) {
        return "RouteManifest{request_id=" + m.getRequestId() + " seq=" + m.getSeq() + " layer=" + m.getLayer()
                + " rows=" + m.getRows() + " experts=" + m.getExpertsList() + " assignments requested="
                + m.getRequestedAssignments() + " skipped=" + m.getSkippedAssignments() + " dropped="
                + m.getDroppedAssignments() + " rerouted=" + m.getReroutedAssignments() + "}";
    }

    private static String result(ExpertResult r) {
        return "ExpertResult{request_id=" + r.getRequestId() + " seq=" + r.getSeq() + " layer=" + r.getLayer()
                + " expert=" + r.getExpert() + " rows=" + rows(r.getRowIndexList()) + " weighted="
                + shape(r.getWeighted()) + "}";
    }

    /** {@code [rows x cols dtype]}: the shape of a tensor, never its values. */
    private static String shape(Tensor t) {
        return "[" + t.getRows() + " x " + t.getCols() + " " + t.getDtype() + ", " + t.getData().size() + " bytes]";
    }

    /** How many rows of the chunk, and which: all of them when few, else the first and last. */
    private static String rows(List<Integer> rowIndex) {
        if (rowIndex.isEmpty()) {
            return "0";
        }
        return rowIndex.size() + (rowIndex.size() <= 8 ? " " + rowIndex
                : " [" + rowIndex.get(0) + ", " + rowIndex.get(1) + ", .., " + rowIndex.get(rowIndex.size() - 1) + "]");
    }

    private static String headers(ConsumerRecord<?, ?> record) {
        StringJoiner joined = new StringJoiner(" ", " headers{", "}").setEmptyValue("");
        for (Header header : record.headers()) {
            joined.add(header.key() + "=" + (header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8)));
        }
        return joined.toString();
    }
}
