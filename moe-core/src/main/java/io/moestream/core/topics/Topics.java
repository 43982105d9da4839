package io.moestream.core.topics;

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

    public Topics {
        prefix = prefix == null ? "" : prefix;
    }

    /** Token chunks from the gateways to the router. */
    public String tokens() {
        return prefix + "moe.tokens";
    }

    /** Tasks for one expert of one layer. */
    public String expert(int layer, int expert) {
        return prefix + "moe.L" + layer + ".e" + expert;
    }

    /** The reply topic owned by one gateway instance: router manifests and expert results. */
    public String replies(String gatewayInstance) {
        return prefix + "moe.replies." + gatewayInstance;
    }

    /** Records that could not be decoded or were invalid, with the reason in a header. */
    public String deadLetters() {
        return prefix + "moe.dlq";
    }

    /** Consumer group shared by the replicas of one expert. */
    public String expertGroup(int layer, int expert) {
        return prefix + "moe-expert-L" + layer + "-e" + expert;
    }
}
