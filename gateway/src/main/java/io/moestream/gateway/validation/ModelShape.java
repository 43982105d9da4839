package io.moestream.gateway.validation;

import io.moestream.core.routing.LayerRouter;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the gateway needs to know of the served model: the hidden size, which layers are MoE layers, and each MoE
 * layer's gate, so that a chunk the router would reject (gate logits that overflow) is refused here with
 * INVALID_ARGUMENT rather than left to time out. Without gates (unit tests) that one check is skipped.
 */
public record ModelShape(int dModel, SortedSet<Integer> moeLayers, Map<Integer, LayerRouter> gates) {

    public ModelShape {
        moeLayers = Collections.unmodifiableSortedSet(new TreeSet<>(moeLayers));
        gates = Collections.unmodifiableMap(new TreeMap<>(gates));
    }

    public ModelShape(int dModel, SortedSet<Integer> moeLayers) {
        this(dModel, moeLayers, Map.of());
    }
}
