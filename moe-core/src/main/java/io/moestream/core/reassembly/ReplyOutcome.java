package io.moestream.core.reassembly;

import io.moestream.core.tensor.Matrix;

/** What one reply did to the pending chunks. */
public sealed interface ReplyOutcome<O> {

    /** The reply was taken; the chunk still waits for other parts. */
    record Accepted<O>() implements ReplyOutcome<O> {
    }

    /** The reply was the chunk's last missing part: the chunk left the reassembler with its output. */
    record Completed<O>(ChunkKey key, O owner, Matrix output) implements ReplyOutcome<O> {
    }

    /** The reply changed nothing. */
    record Ignored<O>(IgnoreReason reason, String detail) implements ReplyOutcome<O> {
    }
}
