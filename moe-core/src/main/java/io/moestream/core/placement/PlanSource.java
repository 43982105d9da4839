package io.moestream.core.placement;

import io.moestream.core.model.MoeConfig;
import java.nio.file.Path;
import java.util.SortedSet;

/**
 * Where a placement plan comes from, as {@code ./moe up} and {@code ./moe k8s} take it: a plan file, or a number of
 * groups to split the experts into ({@code --expert-processes}), or else the default packer by memory budget.
 *
 * @param file           a plan file ({@link PlanFile}), or null
 * @param groups         split into this many groups when positive and no file is given
 * @param groupMemoryMib the packer's budget per group when neither is given
 * @param partitions     partitions per expert topic of a made plan (a file says its own)
 */
public record PlanSource(Path file, int groups, long groupMemoryMib, int partitions) {

    public static PlanSource packed() {
        return new PlanSource(null, 0, GroupPacker.DEFAULT_GROUP_MEMORY_MIB, 1);
    }

    public PlanSource withFile(Path planFile) {
        return new PlanSource(planFile, groups, groupMemoryMib, partitions);
    }

    public PlanSource withGroups(int count) {
        return new PlanSource(file, count, groupMemoryMib, partitions);
    }

    public PlanSource withGroupMemoryMib(long mib) {
        return new PlanSource(file, groups, mib, partitions);
    }

    public PlanSource withPartitions(int count) {
        return new PlanSource(file, groups, groupMemoryMib, count);
    }

    /**
     * The plan for this model and its served layers, checked against them.
     *
     * @throws IllegalArgumentException naming what is wrong with the plan or the file
     */
    public PlacementPlan plan(MoeConfig config, SortedSet<Integer> layers) {
        PlacementPlan plan;
        if (file != null) {
            plan = PlanFile.read(file);
        } else {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions per expert topic must be at least 1, got " + partitions);
            }
            PlacementPlan made = groups > 0 ? GroupPacker.evenly(config, layers, groups)
                    : GroupPacker.byMemory(config, layers, groupMemoryMib);
            plan = new PlacementPlan(made.groups().stream().map(g -> g.withPartitions(partitions)).toList(),
                    made.groupMemoryMib());
        }
        plan.check(config, layers);
        return plan;
    }
}
