package io.moestream.tools.stack;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;

/**
 * Takes a dead process's static members out of a consumer group. A static member that dies keeps its partitions until
 * its session times out, so that a quick restart gets them back without a rebalance; where the group has live
 * replicas, moving the partitions to them at once is quicker than any restart (the member leaves as a clean shutdown
 * would have), and the restarted process then rejoins as a new member.
 */
final class StaticMembers {
    private StaticMembers() {
    }

    /**
     * Removes the members of {@code groupId} whose {@code group.instance.id} starts with {@code instancePrefix}; returns
     * how many it removed (none when they had already left or the group is not there).
     */
    static int remove(Map<String, Object> adminConfig, String groupId, String instancePrefix) throws InterruptedException {
        try (Admin admin = Admin.create(adminConfig)) {
            List<MemberToRemove> dead = admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId)
                    .members().stream().map(MemberDescription::groupInstanceId)
                    .flatMap(Optional::stream).filter(id -> id.startsWith(instancePrefix))
                    .map(MemberToRemove::new).toList();
            if (!dead.isEmpty()) {
                admin.removeMembersFromConsumerGroup(groupId, new RemoveMembersFromConsumerGroupOptions(dead)).all().get();
            }
            return dead.size();
        } catch (ExecutionException goneAlready) {
            return 0;
        }
    }
}
