package io.moestream.gateway.oip;

import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.LayerRouter;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the OIP service tells of the served model and needs for the router outputs: the hidden size, the number of
 * routed experts and top-k, and the router of every MoE layer (its gate and routing policy, as the router runs them).
 */
public record ServedModel(int dModel, int numExperts, int topK, SortedMap<Integer, LayerRouter> routers) {

    public ServedModel {
        routers = Collections.unmodifiableSortedMap(new TreeMap<>(routers));
    }

    /** Reads the shape and each served layer's router (small: its gate is {@code [n_experts, d_model]}) from {@code model}. */
    public static ServedModel read(MoeModel model, SortedSet<Integer> layers) {
        SortedMap<Integer, LayerRouter> routers = new TreeMap<>();
        for (int layer : layers) {
            routers.put(layer, model.router(layer));
        }
        return new ServedModel(model.config().dModel(), model.config().numExperts(), model.config().topK(), routers);
    }

    public SortedSet<Integer> layers() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(routers.keySet()));
    }
}
