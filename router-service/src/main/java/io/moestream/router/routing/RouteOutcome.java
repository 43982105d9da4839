package io.moestream.router.routing;

import java.util.List;

/** What became of one token chunk: routed to its experts, or rejected with a reason. */
public sealed interface RouteOutcome {

    /** The records to write: the manifest for the chunk's reply topic, then one task per chosen expert. */
    record Routed(List<AddressedRecord> records) implements RouteOutcome {
    }

    /** The chunk could not be routed; {@code chunk} is the value as it arrived (may be null), for the dead-letter topic. */
    record Rejected(String reason, byte[] chunk) implements RouteOutcome {
    }
}
