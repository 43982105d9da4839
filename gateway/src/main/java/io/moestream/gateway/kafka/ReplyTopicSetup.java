package io.moestream.gateway.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates this gateway's reply topic (one partition, the broker's replication factor) unless it exists. */
public final class ReplyTopicSetup {
    private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    private final Admin admin;

    public ReplyTopicSetup(Admin admin) {
        this.admin = admin;
    }

    /** @return the topic's partition count */
    public int ensure(String topic) throws InterruptedException {
        try {
            if (!admin.listTopics().names().get().contains(topic)) {
                createIfMissing(topic);
            }
            return partitionCount(topic);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set up reply topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Describes the topic, waiting while a just-created topic's metadata is still reaching the broker. */
    private int partitionCount(String topic) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private void createIfMissing(String topic) throws InterruptedException, ExecutionException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
        } catch (ExecutionException e) {
            // Another start of the same instance id may have created it between our listing and creating.
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
