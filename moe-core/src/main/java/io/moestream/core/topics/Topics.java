package io.moestream.core.topics;

import io.moestream.core.placement.ExpertId;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kafka topic names of the pipeline: part of the public contract, shared by the services, the
 * tests, the tools and the k8s manifests. A non-empty {@code prefix} (for example {@code "shadow."})
 * names a parallel pipeline on the same cluster.
 */
public record Topics(String prefix) {

    /** Header carrying the gateway's reply topic, from the token chunk through the router to the experts. */
    public static final String REPLY_TO_HEADER = "moe-reply-to";
    /** Header on a dead-letter record saying why it was rejected. */
    public static final String DLQ_REASON_HEADER = "moe-dlq-reason";
    /** Header on a dead-letter record naming the topic the record came from. */
    public static final String DLQ_SOURCE_HEADER = "moe-dlq-source";

    public static final Topics DEFAULT = new Topics("");

    private static final int MAX_TOPIC_NAME = 249;
    private static final Pattern EXPERT_TOPIC = Pattern.compile("(\\d{1,9})\\.e(\\d{1,9})");
    private static final Pattern LEGAL_TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]+");

    public Topics {
        prefix = prefix == null ? "" : prefix;
    }

    /** Token chunks from the gateways to the router. */
    public String tokens() {
        return prefix + "moe.tokens";
    }

    /** Tasks for one expert of one layer. */
    public String expert(int layer, int expert) {
        return expertTopicPrefix() + layer + ".e" + expert;
    }

    /** The common start of every expert topic name (prefix ACLs in the k8s manifests). */
    public String expertTopicPrefix() {
        return prefix + "moe.L";
    }

    /** The reply topic owned by one gateway instance: router manifests and expert results. */
    public String replies(String gatewayInstance) {
        return replyTopicPrefix() + gatewayInstance;
    }

    /** The common start of every gateway's reply topic name (prefix ACLs in the k8s manifests). */
    public String replyTopicPrefix() {
        return prefix + "moe.replies.";
    }

    /**
     * Whether {@code name} can be a gateway's reply topic: the reply-topic prefix, a non-empty instance id, at most
     * 249 characters of {@code [a-zA-Z0-9._-]} (Kafka's rule for topic names). Services check the reply-to header with
     * it, so a record cannot make them write onto the token, expert or dead-letter topics, or an illegal name.
     */
    public boolean isReplyTopic(String name) {
        return name != null && name.startsWith(replyTopicPrefix()) && name.length() > replyTopicPrefix().length()
                && name.length() <= MAX_TOPIC_NAME && LEGAL_TOPIC_NAME.matcher(name).matches();
    }

    /** Records that could not be decoded or were invalid, with the reason in a header. */
    public String deadLetters() {
        return prefix + "moe.dlq";
    }

    /** One record per (MoE layer, closed load window): the router's per-expert load and balancedness ({@code ExpertLoad}). */
    public String expertLoad() {
        return prefix + "moe.expert-load";
    }

    /** Load-imbalance and stalled-expert alerts, opened and resolved ({@code LoadAlert}). */
    public String alerts() {
        return prefix + "moe.alerts";
    }

    /** Consumer group of one expert group (placement plan): its replicas share its topics' partitions. */
    public String expertGroup(String groupName) {
        return expertGroupPrefix() + groupName;
    }

    /** The expert whose task topic is {@code topic}, if it is one of this pipeline's expert topics. */
    public Optional<ExpertId> expertOf(String topic) {
        Matcher matcher = EXPERT_TOPIC.matcher(topic);
        if (!topic.startsWith(expertTopicPrefix()) || !matcher.region(expertTopicPrefix().length(), topic.length()).matches()) {
            return Optional.empty();
        }
        return Optional.of(new ExpertId(Integer.parseInt(matcher.group(1)),
                Integer.parseInt(matcher.group(2))));
    }

    /** The common start of every expert consumer group (alert rules over all experts). */
    public String expertGroupPrefix() {
        return prefix + "moe-expert-";
    }

    /**
     * The router's Kafka Streams application id, which is also its consumer group. The router sets it in its
     * {@code application.properties} ({@code quarkus.kafka-streams.application-id}), which must say the same: the
     * router's {@code RouterConfigKeysTest} checks that it does.
     */
    public String routerGroup() {
        return prefix + "moe-router";
    }
}
