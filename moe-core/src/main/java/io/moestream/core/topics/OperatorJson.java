package io.moestream.core.topics;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import java.nio.charset.StandardCharsets;

/**
 * The records of the operator topics ({@link Topics#expertLoad()}, {@link Topics#alerts()}) as UTF-8 JSON, so that
 * {@code kcat}, Kafka UIs and consumers without generated code read them. The messages of {@code records.proto} stay
 * the schema: the text is protobuf's canonical JSON mapping of them, one line, field names as in the {@code .proto}
 * file, every field present (a zero too: {@code "layer":0}), enums by name, 64-bit integers as decimal strings (as the
 * mapping prescribes, since JavaScript numbers cannot hold them all). Readers ignore fields they do not know, so a
 * field added later breaks no consumer.
 */
public final class OperatorJson {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private OperatorJson() {
    }

    /** The record value for {@code message}: its JSON text in UTF-8. */
    public static byte[] encode(MessageOrBuilder message) {
        return text(message).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code message} as one line of JSON. */
    public static String text(MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            // only an Any field with an unknown type fails to print, and these messages have none
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** An {@code ExpertLoad} record value; a value that is not such JSON is an {@link IllegalArgumentException}. */
    public static ExpertLoad expertLoad(byte[] value) {
        return parse(value, ExpertLoad.newBuilder()).build();
    }

    /** A {@code LoadAlert} record value; a value that is not such JSON is an {@link IllegalArgumentException}. */
    public static LoadAlert alert(byte[] value) {
        return parse(value, LoadAlert.newBuilder()).build();
    }

    private static <B extends Message.Builder> B parse(byte[] value, B builder) {
        String json = new String(value, StandardCharsets.UTF_8);
        try {
            PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            String start = json.length() > 80 ? json.substring(0, 80) + "..." : json;
            throw new IllegalArgumentException("not " + builder.getDescriptorForType().getName() + " JSON ("
                    + e.getMessage() + "): " + start, e);
        }
    }
}
