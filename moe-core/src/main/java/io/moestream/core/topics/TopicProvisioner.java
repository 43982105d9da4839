package io.moestream.core.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics for a model: the token topic, the dead-letter topic, the expert-load and alert
 * topics, and one topic per (layer, expert). Existing topics are left as they are, so it can run against a cluster in use.
 */
public final class TopicProvisioner {
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
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(new NewTopic(topics.tokens(), tokenPartitions, (short) 1));
        wanted.add(new NewTopic(topics.deadLetters(), 1, (short) 1));
        // one partition each: low volume (one record per layer and window), read whole by reports and dashboards
        wanted.add(new NewTopic(topics.expertLoad(), 1, (short) 1));
        wanted.add(new NewTopic(topics.alerts(), 1, (short) 1));
        for (int layer : layers) {
            for (int e = 0; e < experts; e++) {
                wanted.add(new NewTopic(topics.expert(layer, e), expertPartitions, (short) 1));
            }
        }
        return createMissing(adminConfig, wanted);
    }

    /** Creates those of {@code wanted} that do not exist yet and returns the names of those it created. */
    public static List<String> createMissing(String bootstrap, List<NewTopic> wanted) throws InterruptedException {
        return createMissing(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), wanted);
    }

    /** As above, with an admin client of {@code adminConfig} (a secured cluster: its security settings too). */
    public static List<String> createMissing(Map<String, Object> adminConfig, List<NewTopic> wanted)
            throws InterruptedException {
        try (Admin admin = Admin.create(adminConfig)) {
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
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
            return created;
        }
    }
}
