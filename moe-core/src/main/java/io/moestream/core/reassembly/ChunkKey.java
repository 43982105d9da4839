package io.moestream.core.reassembly;

/** Identifies one chunk in flight: replies name their chunk by these three fields. */
public record ChunkKey(String requestId, long seq, int layer) {

    @Override
    public String toString() {
        return "chunk seq " + seq + " of request '" + requestId + "' (layer " + layer + ")";
    }
}
