package io.moestream.core.topics;

import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.PlacementPlan;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;

/**
 * The committed offsets of expert topics across every expert group, which is what lets an expert move between groups
 * without losing or redoing work: a group that takes over a partition resumes from the furthest offset any expert
 * group has committed for it. A committed offset means every task before it was answered by the group that committed
 * it, so the furthest one is a safe start; tasks after it are answered again at worst, and the gateway drops the
 * duplicates.
 */
public final class ExpertGroupOffsets {
    private ExpertGroupOffsets() {
    }

    /** The expert consumer groups on the cluster (every group named with {@link Topics#expertGroupPrefix()}). */
    public static List<String> groups(Admin admin, Topics topics) throws InterruptedException {
        try {
            return admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get().stream()
                    .map(GroupListing::groupId)
                    .filter(id -> id.startsWith(topics.expertGroupPrefix()))
                    .sorted()
                    .toList();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list the expert consumer groups: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Per partition of {@code partitions} that any expert group has committed, the furthest committed offset. */
    public static Map<TopicPartition, Long> furthest(Admin admin, Topics topics, Collection<TopicPartition> partitions)
            throws InterruptedException {
        Map<TopicPartition, Long> furthest = new HashMap<>();
        List<String> groups = groups(admin, topics);
        if (groups.isEmpty() || partitions.isEmpty()) {
            return furthest;
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(group -> specs.put(group, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)));
        try {
            for (Map<TopicPartition, OffsetAndMetadata> offsets : admin.listConsumerGroupOffsets(specs).all().get().values()) {
                offsets.forEach((partition, offset) -> {
                    if (offset != null) {
                        furthest.merge(partition, offset.offset(), Math::max);
                    }
                });
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the expert groups' committed offsets: " + e.getCause().getMessage(),
                    e.getCause());
        }
        return furthest;
    }

    /**
     * After a plan change is rolled out: deletes the offsets that expert groups still hold for experts the plan moved
     * to other groups, so that their lag (KEDA, alerts) counts only what they serve. A group whose stopped members have
     * not yet left it still counts as subscribed to those topics and keeps them this time; the caller prunes again.
     *
     * @param pruned   the partitions whose offsets were deleted, per group
     * @param deferred the groups that kept stale offsets because Kafka still counts them subscribed to those topics
     */
    public record Pruned(Map<String, Set<TopicPartition>> pruned, Set<String> deferred) {
        public int partitions() {
            return pruned.values().stream().mapToInt(Set::size).sum();
        }
    }

    public static Pruned pruneMoved(Admin admin, Topics topics, PlacementPlan plan) throws InterruptedException {
        Map<String, Set<TopicPartition>> pruned = new HashMap<>();
        Set<String> deferred = new HashSet<>();
        for (String group : groups(admin, topics)) {
            String name = group.substring(topics.expertGroupPrefix().length());
            Set<ExpertId> kept = new HashSet<>(plan.group(name).map(ExpertGroup::experts).orElse(List.of()));
            Set<TopicPartition> stale = new HashSet<>();
            try {
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().keySet().forEach(partition ->
                        topics.expertOf(partition.topic()).filter(id -> !kept.contains(id)).ifPresent(id -> stale.add(partition)));
                if (!stale.isEmpty()) {
                    admin.deleteConsumerGroupOffsets(group, stale).all().get();
                    pruned.put(group, stale);
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupSubscribedToTopicException) {
                    deferred.add(group);
                }
                // otherwise the group vanished meanwhile: nothing to prune
            }
        }
        return new Pruned(pruned, deferred);
    }
}
