package io.moestream.router.topology;

import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.WireHeaders;
import io.moestream.router.routing.ChunkRouter;
import io.moestream.router.routing.RouteOutcome;
import io.moestream.router.routing.RoutingMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Hands each chunk and its reply-to header to the {@link ChunkRouter} and counts its assignments; the outcome replaces
 * the value. A routed chunk whose reply topic does not exist is rejected instead: writing its manifest would block the
 * stream thread for {@code max.block.ms}.
 */
final class RouteChunk implements FixedKeyProcessor<String, byte[], RouteOutcome> {
    private final ChunkRouter router;
    private final RoutingMetrics metrics;
    private final KnownReplyTopics replyTopics;
    private FixedKeyProcessorContext<String, RouteOutcome> context;

    RouteChunk(ChunkRouter router, RoutingMetrics metrics, KnownReplyTopics replyTopics) {
        this.router = router;
        this.metrics = metrics;
        this.replyTopics = replyTopics;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, RouteOutcome> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        String replyTopic = WireHeaders.replyTo(record.headers());
        RouteOutcome outcome = router.route(record.value(), replyTopic);
        if (outcome instanceof RouteOutcome.Routed routed) {
            if (replyTopics.exists(replyTopic, record.timestamp())) {
                metrics.chunkRouted(routed.stats(), routed.load());
            } else {
                outcome = new RouteOutcome.Rejected(KnownReplyTopics.missing(replyTopic), record.value());
            }
        }
        context.forward(record.withValue(outcome));
    }
}
