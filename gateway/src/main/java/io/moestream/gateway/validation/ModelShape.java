package io.moestream.gateway.validation;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/** What the gateway needs to know of the served model: the hidden size and which layers are MoE layers. */
public record ModelShape(int dModel, SortedSet<Integer> moeLayers) {

    public ModelShape {
        moeLayers = Collections.unmodifiableSortedSet(new TreeSet<>(moeLayers));
    }
}
