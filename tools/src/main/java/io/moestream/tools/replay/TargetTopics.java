package io.moestream.tools.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the target topics a replay writes to or reads answers from, if missing (brokers of moe-stream do not
 * create topics on first use). Existing topics are left as they are.
 */
final class TargetTopics {
    private TargetTopics() {
    }

    /** Creates each missing topic with the given partition count (and the cluster's default replication) and returns the names of those it created. */
    static List<String> ensure(String bootstrap, Map<String, Integer> partitions) throws InterruptedException {
        List<NewTopic> wanted = new ArrayList<>();
        partitions.forEach((topic, count) -> wanted.add(new NewTopic(topic, Optional.of(count), Optional.empty())));
        List<String> created = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create target topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        }
        return created;
    }
}
