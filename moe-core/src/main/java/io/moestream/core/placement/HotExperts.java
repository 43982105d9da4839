package io.moestream.core.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns observed load into placement, DeepSeek's EPLB idea on Kafka: each expert that the replica plan
 * ({@code ReplicaPlan}) gives more than one replica leaves its group for a group of its own, named
 * {@code hot-l<layer>-e<expert>}, with that many replicas and as many partitions of its topic, so its tasks spread over
 * the replicas; the other experts stay where the base plan put them.
 */
public final class HotExperts {
    private HotExperts() {
    }

    /** @param replicas replicas per hot expert (those with more than one); other experts are not listed */
    public static PlacementPlan split(PlacementPlan base, Map<ExpertId, Integer> replicas) {
        List<ExpertGroup> groups = new ArrayList<>();
        for (ExpertGroup group : base.groups()) {
            List<ExpertId> cold = group.experts().stream().filter(id -> replicas.getOrDefault(id, 1) <= 1).toList();
            if (!cold.isEmpty()) {
                groups.add(new ExpertGroup(group.name(), cold, group.replicas(), group.partitions()));
            }
        }
        replicas.entrySet().stream().filter(e -> e.getValue() > 1).sorted(Map.Entry.comparingByKey()).forEach(e ->
                groups.add(new ExpertGroup("hot-l" + e.getKey().layer() + "-e" + e.getKey().expert(), List.of(e.getKey()),
                        e.getValue(), e.getValue())));
        return new PlacementPlan(groups, base.groupMemoryMib());
    }
}
