package io.moestream.core.tensor;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code gate_weights} field of an {@code ExpertTask} on the wire: one FP32 weight per row, little-endian. The
 * router encodes it and the experts decode it here, so the two sides of the task topics cannot drift apart.
 */
public final class GateWeights {
    private GateWeights() {
    }

    /** The weights as the field carries them. */
    public static ByteString encode(float[] weights) {
        ByteBuffer bytes = ByteBuffer.allocate(weights.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(weights);
        return ByteString.copyFrom(bytes.array());
    }

    /**
     * The weights of a task of {@code rows} rows.
     *
     * @throws InvalidTensorException when the field does not hold exactly {@code rows} FP32 values, or one is not finite
     */
    public static float[] decode(ByteString field, int rows) {
        if (field.size() != rows * Float.BYTES) {
            throw new InvalidTensorException("gate_weights has " + field.size() + " bytes, " + rows
                    + " rows need " + rows * Float.BYTES + " (fp32 little-endian)");
        }
        float[] weights = new float[rows];
        field.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(weights);
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i])) {
                throw new InvalidTensorException("gate weight of row " + i + " is " + weights[i], true);
            }
        }
        return weights;
    }
}
