package io.moestream.router.load;

import com.google.protobuf.MessageOrBuilder;
import io.moestream.core.topics.OperatorJson;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** A record of an operator topic as its JSON text ({@link OperatorJson}), for the load sub-topology's sinks. */
final class OperatorJsonSerde {
    private OperatorJsonSerde() {
    }

    static <T extends MessageOrBuilder> Serde<T> of(Function<byte[], T> parse) {
        Serializer<T> serializer = (topic, message) -> message == null ? null : OperatorJson.encode(message);
        Deserializer<T> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parse.apply(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("undecodable record on " + topic + ": " + e.getMessage(), e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
