package io.moestream.gateway.api;

import io.moestream.gateway.validation.ModelShape;
import java.time.Duration;

/** What every Infer stream is held to. */
public record StreamSettings(ModelShape model, int maxChunkRows, Duration chunkDeadline, int maxInFlightChunks,
                             long maxInFlightTokens) {

    public StreamSettings {
        if (maxInFlightChunks < 1) {
            throw new IllegalArgumentException("max in-flight chunks must be at least 1, is " + maxInFlightChunks);
        }
        if (maxInFlightTokens < 1) {
            throw new IllegalArgumentException("max in-flight tokens must be at least 1, is " + maxInFlightTokens);
        }
        if (chunkDeadline.isNegative() || chunkDeadline.isZero()) {
            throw new IllegalArgumentException("chunk deadline must be positive, is " + chunkDeadline);
        }
    }
}
