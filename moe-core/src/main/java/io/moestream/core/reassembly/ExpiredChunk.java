package io.moestream.core.reassembly;

import io.moestream.core.placement.ExpertId;
import java.util.Optional;
import java.util.SortedSet;
import java.util.stream.Collectors;

/**
 * A chunk whose deadline passed before it was complete.
 *
 * @param missingExperts the experts of the route manifest that did not answer; empty when no manifest came
 */
public record ExpiredChunk<O>(ChunkKey key, O owner, Optional<SortedSet<Integer>> missingExperts) {

    /** What the chunk waited for, naming experts as {@code L{layer}.e{expert}} like their topics. */
    public String whatIsMissing() {
        return missingExperts
                .map(missing -> "no result from experts " + missing.stream()
                        .map(e -> new ExpertId(key.layer(), e).name())
                        .collect(Collectors.joining(", ")))
                .orElse("no route manifest from the router");
    }
}
