package io.moestream.core.placement;

import io.moestream.core.model.MoeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/** Makes a {@link PlacementPlan} with no load data: by a memory budget per group, or into a given number of groups. */
public final class GroupPacker {
    /** The budget {@code ./moe up} and {@code ./moe k8s} pack by unless told otherwise: 8 GiB of weights per group. */
    public static final long DEFAULT_GROUP_MEMORY_MIB = 8192;

    private GroupPacker() {
    }

    /**
     * Packs whole layers into groups of at most {@code budgetMib} of weights, in layer order: a layer joins the current
     * group when it fits there, else starts a new one; a layer larger than the budget is split into as few contiguous
     * parts as fit, each a group of its own. Groups are named {@code 0}, {@code 1}, ...
     *
     * @throws IllegalArgumentException when one expert alone is over the budget
     */
    public static PlacementPlan byMemory(MoeConfig config, SortedSet<Integer> layers, long budgetMib) {
        if (budgetMib < 1) {
            throw new IllegalArgumentException("the memory budget per group must be at least 1 MiB, got " + budgetMib);
        }
        long budget = budgetMib << 20;
        List<List<ExpertId>> groups = new ArrayList<>();
        List<ExpertId> current = new ArrayList<>();
        long currentBytes = 0;
        for (int layer : layers) {
            List<ExpertId> experts = layerExperts(config, layer);
            long layerBytes = ExpertFootprint.bytes(config, experts);
            if (layerBytes <= budget) {
                if (currentBytes + layerBytes > budget) {
                    groups.add(current);
                    current = new ArrayList<>();
                    currentBytes = 0;
                }
                current.addAll(experts);
                currentBytes += layerBytes;
                continue;
            }
            // a layer over the budget: close the current group, then fill parts of this layer one by one
            if (!current.isEmpty()) {
                groups.add(current);
            }
            current = new ArrayList<>();
            currentBytes = 0;
            for (ExpertId id : experts) {
                long bytes = ExpertFootprint.bytes(config, id);
                if (bytes > budget) {
                    throw new IllegalArgumentException("expert " + id + " alone holds " + ExpertFootprint.mib(bytes)
                            + " MiB of weights, over the budget of " + budgetMib + " MiB per group");
                }
                if (currentBytes + bytes > budget) {
                    groups.add(current);
                    current = new ArrayList<>();
                    currentBytes = 0;
                }
                current.add(id);
                currentBytes += bytes;
            }
            groups.add(current);
            current = new ArrayList<>();
            currentBytes = 0;
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return new PlacementPlan(named(groups), budgetMib);
    }

    /** Splits the experts, in layer order, into {@code count} contiguous groups of nearly equal size (fewer if there are fewer experts). */
    public static PlacementPlan evenly(MoeConfig config, SortedSet<Integer> layers, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("the number of expert groups must be at least 1, got " + count);
        }
        List<ExpertId> all = new ArrayList<>();
        layers.forEach(layer -> all.addAll(layerExperts(config, layer)));
        int groups = Math.min(count, all.size());
        List<List<ExpertId>> parts = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            parts.add(all.subList((int) ((long) all.size() * g / groups), (int) ((long) all.size() * (g + 1) / groups)));
        }
        return new PlacementPlan(named(parts), 0);
    }

    /** Every served expert of {@code layer}: the routed ones, then the shared expert where the family has one. */
    static List<ExpertId> layerExperts(MoeConfig config, int layer) {
        List<ExpertId> experts = new ArrayList<>(config.servedExperts());
        for (int e = 0; e < config.servedExperts(); e++) {
            experts.add(new ExpertId(layer, e));
        }
        return experts;
    }

    private static List<ExpertGroup> named(List<List<ExpertId>> parts) {
        List<ExpertGroup> groups = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            groups.add(new ExpertGroup(Integer.toString(i), parts.get(i)));
        }
        return groups;
    }
}
