package io.moestream.router.testing;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.TokenChunk;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds token chunks and reads the fp32 bytes the router writes. */
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

    /** Little-endian fp32 bytes back to floats, as the experts read a task's gate weights. */
    public static float[] fp32(byte[] littleEndian) {
        float[] values = new float[littleEndian.length / Float.BYTES];
        ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
