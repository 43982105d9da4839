package io.moestream.gateway.reassembly;

import io.moestream.core.reassembly.ChunkKey;
import io.moestream.core.reassembly.ExpiredChunk;
import io.moestream.core.tensor.Matrix;

/** The stream that waits for a chunk; told when the chunk completes or expires. */
public interface ChunkOwner {

    /** The chunk's output {@code [rows, d_model]}, FP32, is complete. */
    void chunkCompleted(ChunkKey key, Matrix output);

    /** The chunk's deadline passed before it was complete. */
    void chunkExpired(ExpiredChunk<ChunkOwner> expired);

    /** The chunk cannot complete because of its input, named in {@code reason}; it is no longer pending. */
    void chunkFailed(ChunkKey key, String reason);
}
