package io.moestream.core.topics;

import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.ExpertId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expert topics one expert group reads, as ACL resource patterns: a whole layer as the prefix
 * {@code moe.L<layer>.} (which no other layer's topic starts with), the experts of a split layer one literal topic
 * each. The local stack's principals and the k8s KafkaUsers grant exactly these.
 */
public final class GroupTopics {
    private GroupTopics() {
    }

    /** One ACL resource pattern on topics. */
    public record Pattern(String name, boolean prefixed) {
    }

    /** @param servedExperts experts per layer with a topic (routed and shared) */
    public static List<Pattern> of(Topics topics, ExpertGroup group, int servedExperts) {
        Map<Integer, List<ExpertId>> byLayer = new TreeMap<>();
        group.experts().forEach(id -> byLayer.computeIfAbsent(id.layer(), l -> new ArrayList<>()).add(id));
        List<Pattern> patterns = new ArrayList<>();
        byLayer.forEach((layer, experts) -> {
            if (experts.size() == servedExperts) {
                patterns.add(new Pattern(topics.expertTopicPrefix() + layer + ".", true));
            } else {
                experts.forEach(id -> patterns.add(new Pattern(topics.expert(id.layer(), id.expert()), false)));
            }
        });
        return patterns;
    }
}
