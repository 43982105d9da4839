package io.moestream.router.testing;

import io.moestream.core.tensor.GateWeights;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.TokenChunk;

/** Builds token chunks and reads the gate weights of the tasks the router writes. */
public final class Chunks {
    private Chunks() {
    }

    public static byte[] tokenChunk(String requestId, long seq, int layer, Matrix hidden) {
        return tokenChunk(requestId, seq, layer, hidden, DType.FP32);
    }

    public static byte[] tokenChunk(String requestId, long seq, int layer, Matrix hidden, DType dtype) {
        return TokenChunk.newBuilder()
                .setRequestId(requestId)
                .setSeq(seq)
                .setLayer(layer)
                .setHidden(TensorMessages.toProto(hidden, dtype))
                .build()
                .toByteArray();
    }

    /** A task's gate weights, read as the experts read them. */
    public static float[] gateWeights(ExpertTask task) {
        return GateWeights.decode(task.getGateWeights(), task.getRowIndexCount());
    }
}
