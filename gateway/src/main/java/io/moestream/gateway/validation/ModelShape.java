package io.moestream.gateway.validation;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/** What the gateway needs to know of the served model: the hidden size and which MoE layers are served. */
public record ModelShape(int dModel, SortedSet<Integer> servedLayers) {

    public ModelShape {
        servedLayers = Collections.unmodifiableSortedSet(new TreeSet<>(servedLayers));
    }
}
