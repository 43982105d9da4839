package io.moestream.core.placement;

import io.moestream.core.model.MoeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

/**
 * Which expert group serves each expert: every served expert in exactly one group. Made by {@link GroupPacker}, by
 * {@code ./moe report --plan} from observed load, or by hand ({@link PlanFile}); {@code ./moe up} and
 * {@code ./moe k8s} take the same plan.
 *
 * @param groups         in order; names unique
 * @param groupMemoryMib the weights each group may hold, in MiB, or 0 for no limit
 */
public record PlacementPlan(List<ExpertGroup> groups, long groupMemoryMib) {

    public PlacementPlan {
        groups = List.copyOf(groups);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("placement plan: no group");
        }
        if (groupMemoryMib < 0) {
            throw new IllegalArgumentException("placement plan: groupMemoryMib must be 0 (no limit) or positive, got "
                    + groupMemoryMib);
        }
        Set<String> names = new HashSet<>();
        for (ExpertGroup group : groups) {
            if (!names.add(group.name())) {
                throw new IllegalArgumentException("placement plan: two groups are named '" + group.name() + "'");
            }
        }
    }

    public Optional<ExpertGroup> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** Every expert process the plan runs: the sum of the groups' replicas. */
    public int processes() {
        return groups.stream().mapToInt(ExpertGroup::replicas).sum();
    }

    /**
     * Checks the plan against the model and its served layers.
     *
     * @throws IllegalArgumentException naming the first problem: an unknown layer or expert, an expert placed twice
     *                                  or not at all, a group over the memory budget
     */
    public void check(MoeConfig config, SortedSet<Integer> servedLayers) {
        Map<ExpertId, String> placed = new HashMap<>();
        for (ExpertGroup group : groups) {
            for (ExpertId id : group.experts()) {
                if (!servedLayers.contains(id.layer())) {
                    throw new IllegalArgumentException("placement plan: group '" + group.name() + "' names expert " + id
                            + ", but layer " + id.layer() + " is not a served MoE layer (served layers " + servedLayers + ")");
                }
                if (id.expert() >= config.servedExperts()) {
                    throw new IllegalArgumentException("placement plan: group '" + group.name() + "' names expert " + id
                            + ", but the model's layers have experts 0.." + (config.servedExperts() - 1)
                            + (config.servedExperts() > config.numExperts() ? " (" + config.numExperts() + " is the shared expert)" : ""));
                }
                String other = placed.putIfAbsent(id, group.name());
                if (other != null) {
                    throw new IllegalArgumentException("placement plan: expert " + id + " is placed in groups '" + other
                            + "' and '" + group.name() + "'; an expert belongs to one group (to replicate it, give its"
                            + " group more replicas and partitions)");
                }
            }
            long mib = ExpertFootprint.mib(ExpertFootprint.bytes(config, group.experts()));
            if (groupMemoryMib > 0 && mib > groupMemoryMib) {
                throw new IllegalArgumentException("placement plan: group '" + group.name() + "' holds " + mib
                        + " MiB of weights, over the budget of " + groupMemoryMib + " MiB per group (groupMemoryMib)");
            }
        }
        List<ExpertId> unplaced = new ArrayList<>();
        for (int layer : servedLayers) {
            for (int e = 0; e < config.servedExperts(); e++) {
                ExpertId id = new ExpertId(layer, e);
                if (!placed.containsKey(id)) {
                    unplaced.add(id);
                }
            }
        }
        if (!unplaced.isEmpty()) {
            throw new IllegalArgumentException("placement plan: " + unplaced.size() + " expert(s) placed in no group: "
                    + ExpertRanges.format(unplaced.subList(0, Math.min(unplaced.size(), 64)))
                    + (unplaced.size() > 64 ? ", ..." : ""));
        }
    }
}
