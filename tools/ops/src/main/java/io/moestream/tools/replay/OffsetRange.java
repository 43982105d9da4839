package io.moestream.tools.replay;

import org.apache.kafka.common.TopicPartition;

/** The records {@code [from, to)} of one partition. */
public record OffsetRange(TopicPartition partition, long from, long to) {

    public OffsetRange {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("bad offset range " + from + ".." + to + " for " + partition);
        }
    }

    public boolean isEmpty() {
        return to == from;
    }

    @Override
    public String toString() {
        return partition + " [" + from + ", " + to + ")";
    }
}
