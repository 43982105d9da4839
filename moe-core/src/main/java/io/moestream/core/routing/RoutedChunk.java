package io.moestream.core.routing;

import io.moestream.core.tensor.Matrix;
import java.util.List;

/**
 * How one chunk is routed: the router logits {@code [rows, n_experts]}, the top-k choice of the routed experts,
 * and every expert's rows and weights, ascending by expert id, the shared expert (if any) last.
 */
public record RoutedChunk(Matrix logits, Routing topK, List<ExpertAssignment> assignments) {

    /** What the routing options dropped, rerouted or skipped in this chunk. */
    public RoutingStats stats() {
        return topK.stats();
    }
}
