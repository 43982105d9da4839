package io.moestream.core.topics;

import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.PlacementPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics for a model: the token topic, the dead-letter topic, the expert-load and alert
 * topics, and one topic per (layer, expert). Existing topics are left as they are, so it can run against a cluster in
 * use, except that an expert topic with fewer partitions than its placement plan asks for is grown.
 */
public final class TopicProvisioner {
    /** Topics per CreateTopics request: a DeepSeek-V3 model has about 15,000 expert topics. */
    private static final int BATCH = 500;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

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

    /** The partitions of every topic of the pipeline under {@code plan}, by topic name. */
    public static Map<String, Integer> partitionsForPlan(Topics topics, PlacementPlan plan, int tokenPartitions) {
        Map<String, Integer> partitions = new LinkedHashMap<>(Map.of(topics.tokens(), tokenPartitions,
                topics.deadLetters(), 1, topics.expertLoad(), 1, topics.alerts(), 1));
        plan.groups().forEach(group -> group.experts().forEach(id ->
                partitions.put(topics.expert(id.layer(), id.expert()), group.partitions())));
        return partitions;
    }

    private static List<String> provision(Map<String, Object> adminConfig, Topics topics, int tokenPartitions,
                                          Map<String, Integer> expertTopics) throws InterruptedException {
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(withClusterReplicas(topics.tokens(), tokenPartitions));
        wanted.add(withClusterReplicas(topics.deadLetters(), 1));
        // one partition each: low volume (one record per layer and window), read whole by reports and dashboards
        wanted.add(withClusterReplicas(topics.expertLoad(), 1));
        wanted.add(withClusterReplicas(topics.alerts(), 1));
        expertTopics.forEach((name, partitions) -> wanted.add(withClusterReplicas(name, partitions)));
        try (Admin admin = Admin.create(adminConfig)) {
            List<String> changed = createMissing(admin, wanted);
            changed.addAll(grow(admin, expertTopics, changed));
            return changed;
        }
    }

    /**
     * Waits until the brokers host (have created the logs of) the given partitions of each topic. Creating a topic returns
     * once the controller has it; a broker then creates its partitions' logs one after another, and topics created
     * after those (a gateway's reply topic, Kafka Streams' internal topics) wait behind them. With thousands of expert
     * topics on one small broker that takes minutes (see BENCHMARKS.md, "Expert placement at scale"), so the local stack
     * waits here, telling {@code progress} how far it is every 10 s, before it starts the services.
     *
     * @throws IllegalStateException when they are not all hosted within {@code timeout}
     */
    public static void awaitHosted(Map<String, Object> adminConfig, Map<String, Integer> partitions, Duration timeout,
                                   Consumer<String> progress) throws InterruptedException {
        int expected = partitions.values().stream().mapToInt(Integer::intValue).sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        try (Admin admin = Admin.create(adminConfig)) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            while (true) {
                Set<TopicPartition> hosted = new HashSet<>();
                admin.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values().forEach(dir ->
                        dir.replicaInfos().keySet().stream()
                                .filter(p -> p.partition() < partitions.getOrDefault(p.topic(), 0))
                                .forEach(hosted::add)));
                if (hosted.size() >= expected) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the brokers host " + hosted.size() + " of the " + expected
                            + " partitions of the pipeline's topics after " + timeout + "; see BENCHMARKS.md, \"Expert placement"
                            + " at scale\", for the partitions one broker can take");
                }
                if (System.nanoTime() > nextProgress) {
                    progress.accept("brokers hosting the topics' partitions: " + hosted.size() + "/" + expected);
                    nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
                }
                Thread.sleep(500);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot tell whether the brokers host the topics: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * A topic with the cluster's {@code default.replication.factor}: the cluster knows how many brokers it has (the
     * local stack sets min(N, 3)); a production cluster keeps its operator's choice.
     */
    private static NewTopic withClusterReplicas(String name, int partitions) {
        return new NewTopic(name, Optional.of(partitions), Optional.empty());
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
        Set<String> fresh = new HashSet<>(created);
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
