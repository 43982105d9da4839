package io.moestream.expert.worker;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/** The records of one batching window of a consumer, decoded as they are polled, kept apart per expert. */
final class GroupWindow {
    private final Map<String, ServedExpert> byTopic;
    private final ReplyPublisher replies;
    private final Map<ServedExpert, TaskWindow> windows = new LinkedHashMap<>();
    private int fullestRows;

    GroupWindow(Map<String, ServedExpert> byTopic, ReplyPublisher replies) {
        this.byTopic = byTopic;
        this.replies = replies;
    }

    void add(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            ServedExpert expert = byTopic.get(partition.topic());
            TaskWindow window = windows.computeIfAbsent(expert, e -> new TaskWindow(e.decoder(), replies));
            window.add(records.records(partition));
            fullestRows = Math.max(fullestRows, window.rows());
        }
    }

    /** The most rows one expert has in this window: the window closes when it fills one micro-batch. */
    int fullestRows() {
        return fullestRows;
    }

    /** Each expert that got records in this window, in the order they first came, with its tasks. */
    Map<ServedExpert, TaskWindow> byExpert() {
        return windows;
    }
}
