package io.moestream.core.placement;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A set of experts that runs, scales and is placed as one unit: one process (or pod) per replica, one Kafka consumer
 * group shared by the replicas, which split the group's topic partitions between them.
 *
 * @param name       names the consumer group, processes and Kubernetes objects: lower-case letters, digits and '-'
 * @param experts    ascending, at least one
 * @param replicas   processes serving the group (on Kubernetes: the most KEDA scales it to)
 * @param partitions partitions of each of the group's expert topics: what its replicas can split
 */
public record ExpertGroup(String name, List<ExpertId> experts, int replicas, int partitions) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");

    public ExpertGroup {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("group name '" + name + "' must be 1-40 lower-case letters, digits or"
                    + " '-', starting and ending with a letter or digit (it names a consumer group and Kubernetes objects)");
        }
        if (experts.isEmpty()) {
            throw new IllegalArgumentException("group '" + name + "' has no expert");
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("group '" + name + "': replicas must be at least 1, got " + replicas);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("group '" + name + "': partitions must be at least 1, got " + partitions);
        }
        experts = List.copyOf(new java.util.TreeSet<>(experts));
    }

    public ExpertGroup(String name, List<ExpertId> experts) {
        this(name, experts, 1, 1);
    }

    public ExpertGroup withReplicas(int count) {
        return new ExpertGroup(name, experts, count, partitions);
    }

    public ExpertGroup withPartitions(int count) {
        return new ExpertGroup(name, experts, replicas, count);
    }

    /** The experts in their compact text form ({@link ExpertRanges}). */
    public String expertSpec() {
        return ExpertRanges.format(experts);
    }
}
