package io.moestream.tools.replay;

import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * One recorded record, as it was on its source topic.
 *
 * @param key   may be null
 * @param value may be null (a tombstone)
 */
public record ReplayRecord(String topic, int partition, long offset, long timestamp, byte[] key,
                           List<Header> headers, byte[] value) {

    public ReplayRecord {
        headers = List.copyOf(headers);
    }

    /** Key, value and header bytes: what the progress line counts. */
    long sizeBytes() {
        long size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            size += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** Where the record came from, {@code topic-partition@offset}. */
    String origin() {
        return topic + "-" + partition + "@" + offset;
    }
}
