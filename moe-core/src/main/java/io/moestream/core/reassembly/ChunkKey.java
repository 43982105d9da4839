package io.moestream.core.reassembly;

import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.TokenChunk;

/** Identifies one chunk in flight: replies name their chunk by these three fields. */
public record ChunkKey(String requestId, long seq, int layer) {

    /** The chunk a token chunk is. */
    public static ChunkKey of(TokenChunk chunk) {
        return new ChunkKey(chunk.getRequestId(), chunk.getSeq(), chunk.getLayer());
    }

    /** The chunk a route manifest answers for. */
    public static ChunkKey of(RouteManifest manifest) {
        return new ChunkKey(manifest.getRequestId(), manifest.getSeq(), manifest.getLayer());
    }

    /** The chunk an expert task is part of. */
    public static ChunkKey of(ExpertTask task) {
        return new ChunkKey(task.getRequestId(), task.getSeq(), task.getLayer());
    }

    /** The chunk an expert result answers for. */
    public static ChunkKey of(ExpertResult result) {
        return new ChunkKey(result.getRequestId(), result.getSeq(), result.getLayer());
    }

    @Override
    public String toString() {
        return "chunk seq " + seq + " of request '" + requestId + "' (layer " + layer + ")";
    }
}
