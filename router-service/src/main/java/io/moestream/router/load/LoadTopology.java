package io.moestream.router.load;

import io.moestream.core.load.ChunkLoad;
import io.moestream.core.topics.OperatorJson;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The router's load sub-topology: each routed chunk's per-expert load, re-keyed by layer, summed in tumbling windows,
 * published when a window closes, and watched for imbalance. It hangs off the routing path through a repartition
 * topic, so it is a sub-topology of its own with its own tasks and state, and the routing path stays stateless.
 */
public final class LoadTopology {
    /** Per-layer sums of the open windows. */
    public static final String WINDOW_STORE = "moe-load-windows";
    /** Per-layer imbalance alert state. */
    public static final String ALERT_STORE = "moe-load-alerts";

    private static final Serde<ExpertLoad> LOAD = ProtoSerde.of(ExpertLoad.parser());
    private static final Serde<LoadAlert> ALERT = ProtoSerde.of(LoadAlert.parser());
    /** What the operator topics carry: JSON, for kcat and any consumer; the repartition topic and stores keep protobuf. */
    private static final Serde<ExpertLoad> LOAD_JSON = OperatorJsonSerde.of(OperatorJson::expertLoad);
    private static final Serde<LoadAlert> ALERT_JSON = OperatorJsonSerde.of(OperatorJson::alert);

    private LoadTopology() {
    }

    /** @param chunkLoads one {@link ChunkLoad} per routed chunk, keyed by request id */
    public static void addTo(StreamsBuilder builder, KStream<String, ChunkLoad> chunkLoads, Topics topics,
                             LoadSettings settings, LoadListener listener) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ALERT_STORE),
                Serdes.String(), ALERT));

        // Re-key by layer through a repartition topic: one task then sees every chunk of a layer, whichever
        // partition of moe.tokens it came from, and the stateful steps below form their own sub-topology.
        KStream<String, ExpertLoad> byLayer = chunkLoads
                .map((requestId, load) -> KeyValue.pair(Integer.toString(load.layer()), ExpertLoads.ofChunk(load)),
                        Named.as("load-by-layer"))
                .repartition(Repartitioned.with(Serdes.String(), LOAD).withName("load-by-layer"));

        // Sum per layer in tumbling windows of the chunks' timestamps; emit each window once, when it has closed.
        KStream<String, ExpertLoad> closed = byLayer
                .groupByKey(Grouped.with(Serdes.String(), LOAD).withName("group-by-layer"))
                .windowedBy(TimeWindows.ofSizeWithNoGrace(settings.window()))
                .aggregate(ExpertLoads::empty, (layer, chunk, window) -> ExpertLoads.add(window, chunk),
                        Named.as("sum-window"),
                        Materialized.<String, ExpertLoad, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(LOAD))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("until-window-closes"))
                .toStream(Named.as("closed-windows"))
                .map((window, sum) -> KeyValue.pair(window.key(),
                        ExpertLoads.close(sum, window.window().start(), window.window().end())), Named.as("window-statistics"))
                .peek((layer, load) -> listener.windowClosed(load), Named.as("report-window"));

        // One record per layer and window for reports and dashboards.
        closed.to(topics.expertLoad(), Produced.with(Serdes.String(), LOAD_JSON).withName("to-expert-load"));

        // Alerts open after enough imbalanced windows in a row and resolve on the first balanced one.
        closed.process(() -> new DetectImbalance(settings, ALERT_STORE), Named.as("detect-imbalance"), ALERT_STORE)
                .peek((key, alert) -> listener.alert(alert), Named.as("report-alert"))
                .to(topics.alerts(), Produced.with(Serdes.String(), ALERT_JSON).withName("to-alerts"));
    }
}
