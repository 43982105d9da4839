package io.moestream.tools.stack;

import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.topics.GroupTopics;

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
 * The ACLs of each service's Kafka principal: the local stack's ({@code --secure}) and the {@code KafkaUser} resources
 * of the k8s manifests, which {@code ManifestGenerator} writes from these lists (in this order).
 */
public final class ServiceAcls {
    /** The gateway's and the router's Kafka principals (here, not in {@code LocalStack}, so that the k8s module has them). */
    public static final String GATEWAY_PRINCIPAL = "moe-gateway";
    public static final String ROUTER_PRINCIPAL = "moe-router";

    private ServiceAcls() {
    }

    /** Writes token chunks; creates and reads its own reply topic (assigned, no group). */
    public static List<AclBinding> gateway(String user, Topics topics) {
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
    public static List<AclBinding> router(String user, Topics topics) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, user, ResourceType.TOPIC, topics.tokens(), PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.GROUP, topics.routerGroup(), PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.routerGroup() + "-", PatternType.PREFIXED, AclOperation.CREATE,
                AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        allow(acls, user, ResourceType.TOPIC, topics.expertTopicPrefix(), PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.replyTopicPrefix(), PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.deadLetters(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.expertLoad(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.alerts(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.GROUP, topics.expertGroupPrefix(), PatternType.PREFIXED, AclOperation.DESCRIBE);
        return acls;
    }

    /**
     * A process of one expert group: reads only its group's expert topics ({@link GroupTopics}), in its group's consumer
     * group; describes every expert group, to resume an expert that moved here from where its old group stopped;
     * answers on the reply topics (Describe lets it list them, to dead-letter a task whose reply topic does not exist);
     * rejects bad tasks to the dead-letter topic.
     */
    public static List<AclBinding> expert(String user, Topics topics, ExpertGroup group, int servedExperts) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, user, ResourceType.GROUP, topics.expertGroup(group.name()), PatternType.LITERAL,
                AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.GROUP, topics.expertGroupPrefix(), PatternType.PREFIXED, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.replyTopicPrefix(), PatternType.PREFIXED,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, ResourceType.TOPIC, topics.deadLetters(), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        for (GroupTopics.Pattern topic : GroupTopics.of(topics, group, servedExperts)) {
            allow(acls, user, ResourceType.TOPIC, topic.name(), topic.prefixed() ? PatternType.PREFIXED : PatternType.LITERAL,
                    AclOperation.READ, AclOperation.DESCRIBE);
        }
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
