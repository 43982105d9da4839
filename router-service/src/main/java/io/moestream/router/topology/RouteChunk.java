package io.moestream.router.topology;

import io.moestream.core.topics.Topics;
import io.moestream.router.routing.ChunkRouter;
import io.moestream.router.routing.RouteOutcome;
import io.moestream.router.routing.RoutingMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Hands each chunk and its reply-to header to the {@link ChunkRouter} and counts its assignments; the outcome replaces the value. */
final class RouteChunk implements FixedKeyProcessor<String, byte[], RouteOutcome> {
    private final ChunkRouter router;
    private final RoutingMetrics metrics;
    private FixedKeyProcessorContext<String, RouteOutcome> context;

    RouteChunk(ChunkRouter router, RoutingMetrics metrics) {
        this.router = router;
        this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, RouteOutcome> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        Header replyTo = record.headers().lastHeader(Topics.REPLY_TO_HEADER);
        String replyTopic = replyTo == null || replyTo.value() == null
                ? null
                : new String(replyTo.value(), StandardCharsets.UTF_8);
        RouteOutcome outcome = router.route(record.value(), replyTopic);
        if (outcome instanceof RouteOutcome.Routed routed) {
            metrics.chunkRouted(routed.stats(), routed.load());
        }
        context.forward(record.withValue(outcome));
    }
}
