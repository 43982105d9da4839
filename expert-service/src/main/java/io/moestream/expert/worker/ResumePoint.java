package io.moestream.expert.worker;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Where a consumer starts on partitions it was just assigned: its own group's committed offset, unless another expert
 * group committed further (the expert moved here from that group by a new placement plan); then from there, so the
 * move neither loses tasks nor answers the topic again from its start (moe-core {@code ExpertGroupOffsets}).
 */
final class ResumePoint {
    private static final Logger LOG = Logger.getLogger(ResumePoint.class);

    /** The furthest offset any expert group committed, per partition that one has. */
    @FunctionalInterface
    interface FurthestOffsets {
        Map<TopicPartition, Long> of(Collection<TopicPartition> partitions) throws InterruptedException;
    }

    private final FurthestOffsets furthest;

    ResumePoint(FurthestOffsets furthest) {
        this.furthest = furthest;
    }

    /** Called from the consumer's rebalance listener, on its own thread. */
    void seek(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, String name) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> others;
        try {
            others = furthest.of(partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            // at worst the partitions start from this group's own offsets (or the earliest task): duplicates, no loss
            LOG.warnf("%s cannot read the other expert groups' offsets (%s); resuming from its own group's", name,
                    e.getMessage());
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> own = consumer.committed(new HashSet<>(partitions));
        int moved = 0;
        String example = null;
        for (var entry : others.entrySet()) {
            OffsetAndMetadata mine = own.get(entry.getKey());
            if (partitions.contains(entry.getKey()) && (mine == null || mine.offset() < entry.getValue())) {
                consumer.seek(entry.getKey(), entry.getValue());
                moved++;
                example = entry.getKey() + " at " + entry.getValue();
            }
        }
        if (moved > 0) {
            LOG.infof("%s resumes %d partition(s) from offsets another expert group committed (e.g. %s)", name, moved, example);
        }
    }
}
