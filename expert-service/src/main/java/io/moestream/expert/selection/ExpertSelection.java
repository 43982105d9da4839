package io.moestream.expert.selection;

import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.ExpertRanges;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * Parses {@code moe.expert.experts} against the served layers: {@code all}, or the compact form of a placement plan's
 * group ({@code layer:expert} and {@code layer:first-last}, comma-separated).
 */
public final class ExpertSelection {
    public static final String ALL = "all";

    private ExpertSelection() {
    }

    /**
     * The selected experts, ascending by layer then expert, without duplicates.
     *
     * @throws IllegalArgumentException naming the entry that is malformed or not in the model
     */
    public static List<ExpertId> parse(String spec, SortedSet<Integer> servedLayers, int numExperts) {
        List<ExpertId> selected = new ArrayList<>();
        if (spec.trim().equalsIgnoreCase(ALL)) {
            for (int layer : servedLayers) {
                for (int expert = 0; expert < numExperts; expert++) {
                    selected.add(new ExpertId(layer, expert));
                }
            }
        } else {
            SortedSet<ExpertId> parsed;
            try {
                parsed = ExpertRanges.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("moe.expert.experts: " + e.getMessage() + ", or 'all'", e);
            }
            for (ExpertId id : parsed) {
                check(id, servedLayers, numExperts);
                selected.add(id);
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("moe.expert.experts selects no expert: no MoE layer is served");
        }
        return List.copyOf(selected);
    }

    private static void check(ExpertId id, SortedSet<Integer> servedLayers, int numExperts) {
        if (!servedLayers.contains(id.layer())) {
            throw new IllegalArgumentException("moe.expert.experts: " + id + " names layer " + id.layer()
                    + ", which is not a served MoE layer (served layers " + servedLayers + ", see moe.layers)");
        }
        if (id.expert() >= numExperts) {
            throw new IllegalArgumentException("moe.expert.experts: " + id + " names expert " + id.expert()
                    + ", the model has experts 0.." + (numExperts - 1));
        }
    }
}
