package io.moestream.expert.selection;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code moe.expert.experts} against the served layers: {@code all}, or a comma list of {@code layer:expert}. */
public final class ExpertSelection {
    public static final String ALL = "all";
    private static final Pattern ENTRY = Pattern.compile("(\\d{1,9})\\s*:\\s*(\\d{1,9})");

    private ExpertSelection() {
    }

    /**
     * The selected experts, ascending by layer then expert, without duplicates.
     *
     * @throws IllegalArgumentException naming the entry that is malformed or not in the model
     */
    public static List<ExpertId> parse(String spec, SortedSet<Integer> servedLayers, int numExperts) {
        SortedSet<ExpertId> selected = new TreeSet<>();
        if (spec.trim().equalsIgnoreCase(ALL)) {
            for (int layer : servedLayers) {
                for (int expert = 0; expert < numExperts; expert++) {
                    selected.add(new ExpertId(layer, expert));
                }
            }
        } else {
            for (String entry : spec.split(",")) {
                selected.add(parseEntry(entry.trim(), servedLayers, numExperts));
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("moe.expert.experts selects no expert: no MoE layer is served");
        }
        return List.copyOf(selected);
    }

    private static ExpertId parseEntry(String entry, SortedSet<Integer> servedLayers, int numExperts) {
        Matcher matcher = ENTRY.matcher(entry);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("moe.expert.experts: '" + entry + "' is not layer:expert (e.g. 0:3) or 'all'");
        }
        int layer = Integer.parseInt(matcher.group(1));
        int expert = Integer.parseInt(matcher.group(2));
        if (!servedLayers.contains(layer)) {
            throw new IllegalArgumentException("moe.expert.experts: '" + entry + "' names layer " + layer
                    + ", which is not a served MoE layer (served layers " + servedLayers + ", see moe.layers)");
        }
        if (expert < 0 || expert >= numExperts) {
            throw new IllegalArgumentException("moe.expert.experts: '" + entry + "' names expert " + expert
                    + ", the model has experts 0.." + (numExperts - 1));
        }
        return new ExpertId(layer, expert);
    }
}
