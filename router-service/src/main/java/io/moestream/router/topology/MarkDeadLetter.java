package io.moestream.router.topology;

import io.moestream.core.topics.Topics;
import io.moestream.router.routing.RouteOutcome;
import io.moestream.router.routing.RoutingMetrics;
import io.moestream.router.routing.RouteOutcome.Rejected;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Restores a rejected chunk's original value and adds the reason and source topic headers. */
final class MarkDeadLetter implements FixedKeyProcessor<String, RouteOutcome, byte[]> {
    private final String sourceTopic;
    private final RoutingMetrics metrics;
    private FixedKeyProcessorContext<String, byte[]> context;

    MarkDeadLetter(String sourceTopic, RoutingMetrics metrics) {
        this.sourceTopic = sourceTopic;
        this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, RouteOutcome> record) {
        Rejected rejected = (Rejected) record.value();
        // a copy, so the headers of the record as consumed stay untouched
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(Topics.DLQ_REASON_HEADER);
        headers.remove(Topics.DLQ_SOURCE_HEADER);
        headers.add(Topics.DLQ_REASON_HEADER, rejected.reason().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DLQ_SOURCE_HEADER, sourceTopic.getBytes(StandardCharsets.UTF_8));
        metrics.deadLettered();
        context.forward(record.withValue(rejected.chunk()).withHeaders(headers));
    }
}
