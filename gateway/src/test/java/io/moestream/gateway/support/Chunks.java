package io.moestream.gateway.support;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import java.util.Random;

/** Builds InferChunks of seeded random rows. */
public final class Chunks {
    private Chunks() {
    }

    /** {@code [rows, cols]} of values in [-1, 1), from {@code seed}. */
    public static Matrix random(int rows, int cols, long seed) {
        Random random = new Random(seed);
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat() * 2 - 1;
        }
        return new Matrix(rows, cols, data);
    }

    public static InferChunk chunk(String requestId, long seq, int layer, Matrix hidden, DType dtype) {
        return InferChunk.newBuilder()
                .setRequestId(requestId)
                .setSeq(seq)
                .setLayer(layer)
                .setHidden(TensorMessages.toProto(hidden, dtype))
                .build();
    }

    public static InferChunk chunk(String requestId, long seq, int layer, Matrix hidden) {
        return chunk(requestId, seq, layer, hidden, DType.FP32);
    }
}
