package io.moestream.router.routing;

import io.moestream.core.load.ChunkLoad;
import io.moestream.core.routing.RoutingStats;
import java.util.List;

/** What became of one token chunk: routed to its experts, or rejected with a reason. */
public sealed interface RouteOutcome {

    /**
     * The records to write: the manifest for the chunk's reply topic, then one task per chosen expert; {@code stats}
     * says what the routing options dropped, rerouted or skipped; {@code load} what the chunk put on each expert.
     */
    record Routed(List<AddressedRecord> records, RoutingStats stats, ChunkLoad load) implements RouteOutcome {
    }

    /** The chunk could not be routed; {@code chunk} is the value as it arrived (may be null), for the dead-letter topic. */
    record Rejected(String reason, byte[] chunk) implements RouteOutcome {
    }
}
