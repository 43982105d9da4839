package io.moestream.core.reassembly;

/** Why a reply did not change any chunk. */
public enum IgnoreReason {
    /** A second result from the same expert for the same chunk, or a second manifest (at-least-once redelivery). */
    DUPLICATE,
    /** The chunk is not pending here: never sent, already answered, expired, or its stream ended. */
    UNKNOWN_CHUNK,
    /** The reply contradicts the chunk (row count, row index, columns, an expert not in the manifest) or cannot be read. */
    MALFORMED
}
