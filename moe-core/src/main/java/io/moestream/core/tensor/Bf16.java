package io.moestream.core.tensor;

/**
 * bfloat16 conversions: the top 16 bits of a float32. Float to bf16 rounds to nearest, ties to even
 * (as PyTorch does); NaN stays NaN.
 */
public final class Bf16 {
    private Bf16() {
    }

    /** The exact float value of the bf16 with bits {@code bf16}. */
    public static float toFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    /** The bf16 nearest to {@code value} (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            // keep sign and payload, and force the quiet bit so truncation cannot produce infinity
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    /** {@code m} with every value rounded to the nearest bf16 (still as floats). */
    public static Matrix round(Matrix m) {
        float[] rounded = new float[m.data().length];
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = toFloat(fromFloat(m.data()[i]));
        }
        return new Matrix(m.rows(), m.cols(), rounded);
    }
}
