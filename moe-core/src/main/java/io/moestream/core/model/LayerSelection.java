package io.moestream.core.model;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which MoE layers a deployment serves, from the {@code moe.layers} key (and {@code ./moe up --layers}): {@code all}
 * (or empty), or a comma list of layers and inclusive ranges such as {@code 0,5-7}. Every service of one pipeline
 * reads the same value, so the router, the experts and the gateway agree on the served layers.
 */
public final class LayerSelection {
    public static final String ALL = "all";
    private static final Pattern ENTRY = Pattern.compile("(\\d{1,9})(?:\\s*-\\s*(\\d{1,9}))?");

    private LayerSelection() {
    }

    /**
     * The selected layers, ascending.
     *
     * @throws IllegalArgumentException naming the entry that is malformed, an empty range, or a layer that is not an
     *                                  MoE layer of the model
     */
    public static SortedSet<Integer> parse(String spec, SortedSet<Integer> moeLayers) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase(ALL)) {
            return Collections.unmodifiableSortedSet(new TreeSet<>(moeLayers));
        }
        SortedSet<Integer> selected = new TreeSet<>();
        for (String raw : spec.split(",", -1)) {
            String entry = raw.trim();
            Matcher matcher = ENTRY.matcher(entry);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("moe.layers: '" + entry
                        + "' is not a layer or a range of layers (e.g. 0,5-7) or 'all'");
            }
            int first = Integer.parseInt(matcher.group(1));
            int last = matcher.group(2) == null ? first : Integer.parseInt(matcher.group(2));
            if (last < first) {
                throw new IllegalArgumentException("moe.layers: '" + entry + "' is an empty range");
            }
            for (int layer = first; layer <= last; layer++) {
                if (!moeLayers.contains(layer)) {
                    throw new IllegalArgumentException("moe.layers: '" + entry + "' names layer " + layer
                            + ", which is not an MoE layer of the model (MoE layers " + moeLayers + ")");
                }
                selected.add(layer);
            }
        }
        return Collections.unmodifiableSortedSet(selected);
    }
}
