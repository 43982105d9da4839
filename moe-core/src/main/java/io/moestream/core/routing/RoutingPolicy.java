package io.moestream.core.routing;

import io.moestream.core.tensor.Matrix;

/** Turns router logits {@code [rows, n_experts]} into chosen experts and gate weights per row. */
public interface RoutingPolicy {
    Routing route(Matrix logits);
}
