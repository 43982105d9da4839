package io.moestream.gateway.oip;

/**
 * How OIP requests use the pipeline.
 *
 * @param chunkRows         most rows of one chunk when a request is cut for the pipeline
 * @param maxStreamRequests requests of one ModelStreamInfer stream in progress at once
 */
public record OipSettings(int chunkRows, int maxStreamRequests) {
    /** Kafka's default record limit is 1 MiB: FP32 chunks of at most this many bytes leave room for the headers. */
    static final int DEFAULT_CHUNK_BYTES = 1_000_000;

    public OipSettings {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("OIP chunk rows must be at least 1, is " + chunkRows);
        }
        if (maxStreamRequests < 1) {
            throw new IllegalArgumentException("OIP max stream requests must be at least 1, is " + maxStreamRequests);
        }
    }

    /** The rows whose FP32 values fit in {@link #DEFAULT_CHUNK_BYTES}, at least 1 and at most {@code maxChunkRows}. */
    public static int defaultChunkRows(int dModel, int maxChunkRows) {
        return Math.max(1, Math.min(maxChunkRows, DEFAULT_CHUNK_BYTES / (Float.BYTES * dModel)));
    }
}
