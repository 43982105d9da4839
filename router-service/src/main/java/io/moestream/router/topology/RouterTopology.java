package io.moestream.router.topology;

import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.router.load.LoadListener;
import io.moestream.router.load.LoadSettings;
import io.moestream.router.load.LoadTopology;
import io.moestream.router.routing.AddressedRecord;
import io.moestream.router.routing.ChunkRouter;
import io.moestream.router.routing.RouteOutcome;
import io.moestream.router.routing.RoutingMetrics;
import io.moestream.router.routing.RouteOutcome.Rejected;
import io.moestream.router.routing.RouteOutcome.Routed;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The router's topology: the stateless routing path (token chunks in; expert tasks, route manifests and dead letters
 * out) and, behind a repartition topic, the stateful load sub-topology ({@link LoadTopology}).
 */
public final class RouterTopology {
    private static final String OUTCOME = "outcome-";
    private static final String ROUTED = "routed";
    private static final String REJECTED = "rejected";

    private RouterTopology() {
    }

    public static Topology build(Topics topics, ChunkRouter router, KnownReplyTopics replyTopics, RoutingMetrics metrics,
                                 LoadSettings load, LoadListener loadListener) {
        StreamsBuilder builder = new StreamsBuilder();

        // Values stay raw bytes here, so a record that fails to decode still reaches the DLQ unchanged.
        KStream<String, byte[]> chunks = builder.stream(topics.tokens(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("token-chunks"));

        // Decode, validate and route each chunk: one gate product for all its rows, then the policy; a chunk whose
        // reply topic does not exist is rejected rather than left to block the sink.
        KStream<String, RouteOutcome> outcomes = chunks.processValues(() -> new RouteChunk(router, metrics, replyTopics),
                Named.as("route-chunk"));

        // Routed chunks fan out to their experts; rejected ones become dead letters.
        Map<String, KStream<String, RouteOutcome>> byOutcome = outcomes.split(Named.as(OUTCOME))
                .branch((requestId, outcome) -> outcome instanceof Routed, Branched.as(ROUTED))
                .branch((requestId, outcome) -> outcome instanceof Rejected, Branched.as(REJECTED))
                .noDefaultBranch();

        // One record per chosen expert plus the manifest; the input's headers (reply-to) travel with each.
        KStream<String, AddressedRecord> addressed = byOutcome.get(OUTCOME + ROUTED)
                .flatMapValues(outcome -> ((Routed) outcome).records(), Named.as("fan-out"));

        // Expert topics and the reply topic differ per record, so the sink asks each record where it goes.
        addressed.to(AddressedSink.DESTINATION,
                Produced.with(Serdes.String(), AddressedSink.PAYLOAD).withName("to-experts-and-reply"));

        // The original value and headers go to the DLQ with the reason and the source topic added.
        byOutcome.get(OUTCOME + REJECTED)
                .processValues(() -> new MarkDeadLetter(topics.tokens(), metrics), Named.as("mark-dead-letter"))
                .to(topics.deadLetters(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("to-dead-letters"));

        // Each routed chunk's per-expert load feeds the load sub-topology: windows, balancedness, alerts.
        LoadTopology.addTo(builder, byOutcome.get(OUTCOME + ROUTED)
                .mapValues(outcome -> ((Routed) outcome).load(), Named.as("chunk-load")), topics, load, loadListener);

        return builder.build();
    }
}
