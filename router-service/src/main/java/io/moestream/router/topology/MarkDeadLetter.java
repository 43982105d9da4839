package io.moestream.router.topology;

import io.moestream.core.topics.WireHeaders;
import io.moestream.router.routing.RouteOutcome;
import io.moestream.router.routing.RoutingMetrics;
import io.moestream.router.routing.RouteOutcome.Rejected;
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
        metrics.deadLettered();
        context.forward(record.withValue(rejected.chunk())
                .withHeaders(WireHeaders.deadLetter(record.headers(), rejected.reason(), sourceTopic)));
    }
}
