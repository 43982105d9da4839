package io.moestream.router.topology;

import io.moestream.router.routing.AddressedRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/** How the dynamic sink writes an {@link AddressedRecord}: to the topic it names, as its payload bytes. */
final class AddressedSink {

    /** The record's own destination: an expert topic or the chunk's reply topic. */
    static final TopicNameExtractor<String, AddressedRecord> DESTINATION = (requestId, record, context) -> record.topic();

    /** Writes the payload only; nothing in the router ever reads these records back. */
    static final Serde<AddressedRecord> PAYLOAD = Serdes.serdeFrom(
            (Serializer<AddressedRecord>) (topic, record) -> record == null ? null : record.payload(),
            (Deserializer<AddressedRecord>) (topic, bytes) -> {
                throw new UnsupportedOperationException("addressed records are written by the router, never read");
            });

    private AddressedSink() {
    }
}
