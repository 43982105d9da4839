package io.moestream.tools.stack;

import io.moestream.core.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs of each service's Kafka principal, the same as the {@code KafkaUser} resources of the k8s manifests
 * ({@code k8s/templates/users.yaml}, {@code expert-user.yaml}): keep the two equal.
 */
final class ServiceAcls {
    private ServiceAcls() {
    }

    /** Writes token chunks; creates and reads its own reply topic (assigned, no group). */
    static List<AclBinding> gateway(String user, Topics topics) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, user, ResourceType.TOPIC, topics.tokens(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.replyTopicPrefix(), PatternType.PREFIXED,
                AclOperation.CREATE, AclOperation.READ, AclOperation.DESCRIBE);
        return acls;
    }

    /**
     * Reads token chunks in its group; writes expert tasks, route manifests and dead letters; keeps the load
     * sub-topology's internal topics (named after its application id), writes load records and alerts, and reads the
     * expert groups' committed offsets for the lag monitor. Describe on the reply topics also lets it list them, to
     * dead-letter a chunk whose reply topic does not exist. The KafkaUser {@code moe-router} of the k8s manifests
     * grants the same.
     */
    static List<AclBinding> router(String user, Topics topics) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, user, ResourceType.TOPIC, topics.tokens(), PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.GROUP, topics.routerGroup(), PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.expertTopicPrefix(), PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.replyTopicPrefix(), PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.deadLetters(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.routerGroup() + "-", PatternType.PREFIXED, AclOperation.CREATE,
                AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        allow(acls, user, ResourceType.TOPIC, topics.expertLoad(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.alerts(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.GROUP, topics.expertGroupPrefix(), PatternType.PREFIXED, AclOperation.DESCRIBE);
        return acls;
    }

    /**
     * An expert process: reads only the topics of the experts it serves, each in that expert's group; answers on
     * the reply topics (Describe lets it list them, to dead-letter a task whose reply topic does not exist); rejects bad
     * tasks to the dead-letter topic. {@code experts} holds (layer, expert) pairs.
     */
    static List<AclBinding> expert(String user, Topics topics, List<int[]> experts) {
        List<AclBinding> acls = new ArrayList<>();
        for (int[] expert : experts) {
            allow(acls, user, ResourceType.TOPIC, topics.expert(expert[0], expert[1]), PatternType.LITERAL,
                    AclOperation.READ, AclOperation.DESCRIBE);
            allow(acls, user, ResourceType.GROUP, topics.expertGroup(expert[0], expert[1]), PatternType.LITERAL,
                    AclOperation.READ, AclOperation.DESCRIBE);
        }
        allow(acls, user, ResourceType.TOPIC, topics.replyTopicPrefix(), PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.deadLetters(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        return acls;
    }

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
                              AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
        }
    }
}
