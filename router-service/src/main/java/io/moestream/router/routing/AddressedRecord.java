package io.moestream.router.routing;

/** An outgoing record value that names the topic it must be written to: an expert's task topic or a reply topic. */
public record AddressedRecord(String topic, byte[] payload) {
}
