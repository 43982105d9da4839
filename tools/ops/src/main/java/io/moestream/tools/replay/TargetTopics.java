package io.moestream.tools.replay;

import io.moestream.core.topics.TopicProvisioner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

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
        return TopicProvisioner.createMissing(bootstrap, wanted);
    }
}
