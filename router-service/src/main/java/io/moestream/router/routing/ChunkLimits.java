package io.moestream.router.routing;

/** What a valid chunk's hidden tensor must look like: {@code [1..maxRows, dModel]}. */
public record ChunkLimits(int dModel, int maxRows) {

    public ChunkLimits {
        if (dModel < 1 || maxRows < 1) {
            throw new IllegalArgumentException("d_model and max chunk rows must be positive, got " + dModel + " and " + maxRows);
        }
    }
}
