package io.moestream.gateway.validation;

import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.LayerRouter;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the gateway needs to know of the served model: the hidden size, which MoE layers are served, and each served
 * layer's gate, so that a chunk the router would reject (gate logits that overflow) is refused here with
 * INVALID_ARGUMENT rather than left to time out. Without gates (unit tests) that one check is skipped.
 */
public record ModelShape(int dModel, SortedSet<Integer> servedLayers, Map<Integer, LayerRouter> gates) {

    public ModelShape {
        servedLayers = Collections.unmodifiableSortedSet(new TreeSet<>(servedLayers));
        gates = Collections.unmodifiableMap(new TreeMap<>(gates));
    }

    public ModelShape(int dModel, SortedSet<Integer> servedLayers) {
        this(dModel, servedLayers, Map.of());
    }

    /** Reads the hidden size and each served layer's router (small: its gate is {@code [n_experts, d_model]}). */
    public static ModelShape read(MoeModel model, SortedSet<Integer> servedLayers) {
        Map<Integer, LayerRouter> gates = new TreeMap<>();
        for (int layer : servedLayers) {
            gates.put(layer, model.router(layer));
        }
        return new ModelShape(model.config().dModel(), servedLayers, gates);
    }
}
