package io.moestream.core.topics;

import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.PlacementPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics for a model: the token topic, the dead-letter topic, the expert-load and alert
 * topics, and one topic per (layer, expert). Existing topics are left as they are, so it can run against a cluster in
 * use, except that an expert topic with fewer partitions than its placement plan asks for is grown.
 */
public final class TopicProvisioner {
    /** Topics per CreateTopics request: a DeepSeek-V3 model has about 15,000 expert topics. */
    private static final int BATCH = 500;

    private TopicProvisioner() {
    }

    /** Creates the missing topics and returns the names of those it created. */
    public static List<String> createAll(String bootstrap, Topics topics, SortedSet<Integer> layers, int experts,
                                         int tokenPartitions, int expertPartitions) throws InterruptedException {
        return createAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topics, layers, experts,
                tokenPartitions, expertPartitions);
    }

    /** As above, with an admin client of {@code adminConfig} (a secured cluster: its security settings too). */
    public static List<String> createAll(Map<String, Object> adminConfig, Topics topics, SortedSet<Integer> layers,
                                         int experts, int tokenPartitions, int expertPartitions)
            throws InterruptedException {
        Map<String, Integer> expertTopics = new LinkedHashMap<>();
        for (int layer : layers) {
            for (int e = 0; e < experts; e++) {
                expertTopics.put(topics.expert(layer, e), expertPartitions);
            }
        }
        return provision(adminConfig, topics, tokenPartitions, expertTopics);
    }

    /**
     * The topics of a placement plan: each expert topic with its group's partitions, growing existing ones that have
     * fewer. Returns the names of the topics it created or grew.
     */
    public static List<String> createForPlan(Map<String, Object> adminConfig, Topics topics, PlacementPlan plan,
                                             int tokenPartitions) throws InterruptedException {
        Map<String, Integer> expertTopics = new LinkedHashMap<>();
        for (ExpertGroup group : plan.groups()) {
            for (ExpertId id : group.experts()) {
                expertTopics.put(topics.expert(id.layer(), id.expert()), group.partitions());
            }
        }
        return provision(adminConfig, topics, tokenPartitions, expertTopics);
    }

    private static List<String> provision(Map<String, Object> adminConfig, Topics topics, int tokenPartitions,
                                          Map<String, Integer> expertTopics) throws InterruptedException {
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(topics.tokens(), tokenPartitions, (short) 1));
        wanted.add(new NewTopic(topics.deadLetters(), 1, (short) 1));
        // one partition each: low volume (one record per layer and window), read whole by reports and dashboards
        wanted.add(new NewTopic(topics.expertLoad(), 1, (short) 1));
        wanted.add(new NewTopic(topics.alerts(), 1, (short) 1));
        expertTopics.forEach((name, partitions) -> wanted.add(new NewTopic(name, partitions, (short) 1)));
        try (Admin admin = Admin.create(adminConfig)) {
            List<String> changed = createMissing(admin, wanted);
            changed.addAll(grow(admin, expertTopics, changed));
            return changed;
        }
    }

    /** Creates those of {@code wanted} that do not exist yet and returns the names of those it created. */
    public static List<String> createMissing(String bootstrap, List<NewTopic> wanted) throws InterruptedException {
        return createMissing(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), wanted);
    }

    /** As above, with an admin client of {@code adminConfig} (a secured cluster: its security settings too). */
    public static List<String> createMissing(Map<String, Object> adminConfig, List<NewTopic> wanted)
            throws InterruptedException {
        try (Admin admin = Admin.create(adminConfig)) {
            return createMissing(admin, wanted);
        }
    }

    private static List<String> createMissing(Admin admin, List<NewTopic> wanted) throws InterruptedException {
        List<String> created = new ArrayList<>();
        for (int from = 0; from < wanted.size(); from += BATCH) {
            List<NewTopic> batch = wanted.subList(from, Math.min(wanted.size(), from + BATCH));
            for (var entry : admin.createTopics(batch).values().entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        }
        return created;
    }

    /** Adds partitions to the existing expert topics (not those just created) that have fewer than wanted. */
    private static List<String> grow(Admin admin, Map<String, Integer> expertTopics, List<String> created)
            throws InterruptedException {
        java.util.Set<String> fresh = new java.util.HashSet<>(created);
        List<String> existing = expertTopics.keySet().stream().filter(name -> !fresh.contains(name)).toList();
        Map<String, NewPartitions> increases = new HashMap<>();
        try {
            for (int from = 0; from < existing.size(); from += BATCH) {
                Map<String, TopicDescription> described = admin.describeTopics(
                        existing.subList(from, Math.min(existing.size(), from + BATCH))).allTopicNames().get();
                described.forEach((name, description) -> {
                    int wanted = expertTopics.get(name);
                    if (description.partitions().size() < wanted) {
                        increases.put(name, NewPartitions.increaseTo(wanted));
                    }
                });
            }
            if (!increases.isEmpty()) {
                admin.createPartitions(increases).all().get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot add partitions to the expert topics " + increases.keySet() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        return new ArrayList<>(increases.keySet());
    }
}
