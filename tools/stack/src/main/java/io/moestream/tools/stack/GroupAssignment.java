package io.moestream.tools.stack;

import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.PlacementPlan;
import io.moestream.core.topics.Topics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until every partition of every expert group's topics is assigned to a member of that group: only then can
 * every expert answer, which is what the stack's READY line promises.
 */
final class GroupAssignment {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private GroupAssignment() {
    }

    static void await(Map<String, Object> adminConfig, Topics topics, PlacementPlan plan, Duration timeout,
                      Consumer<String> progress) throws InterruptedException {
        List<String> groups = plan.groups().stream().map(g -> topics.expertGroup(g.name())).toList();
        long total = plan.groups().stream().mapToLong(g -> (long) g.experts().size() * g.partitions()).sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(groups).all().get();
                long assigned = 0;
                for (ExpertGroup group : plan.groups()) {
                    assigned += assigned(group, described.get(topics.expertGroup(group.name())), topics);
                }
                if (assigned == total) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the expert groups' partitions were not all assigned within " + timeout
                            + ": " + assigned + " of " + total);
                }
                if (System.nanoTime() > nextProgress) {
                    progress.accept("expert partitions assigned: " + assigned + "/" + total);
                    nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe the expert groups: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** How many of the group's planned partitions a member of its consumer group holds. */
    private static long assigned(ExpertGroup group, ConsumerGroupDescription description, Topics topics) {
        Set<TopicPartition> held = new HashSet<>();
        for (MemberDescription member : description.members()) {
            held.addAll(member.assignment().topicPartitions());
        }
        long count = 0;
        for (ExpertId id : group.experts()) {
            for (int p = 0; p < group.partitions(); p++) {
                if (held.contains(new TopicPartition(topics.expert(id.layer(), id.expert()), p))) {
                    count++;
                }
            }
        }
        return count;
    }
}
