package io.moestream.gateway.api;

import io.moestream.proto.v1.TokenChunk;
import java.util.function.Consumer;

/** Sends a validated chunk to the router, marked with this gateway's reply topic. */
public interface ChunkPublisher {

    /** Publishes without waiting; {@code onFailure} runs, on any thread, when the chunk could not be written. */
    void publish(TokenChunk chunk, Consumer<Exception> onFailure);
}
