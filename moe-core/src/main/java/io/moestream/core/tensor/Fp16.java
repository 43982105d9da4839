package io.moestream.core.tensor;

/**
 * IEEE 754 binary16 ("half") conversions. Java 17 has no {@code Float.float16ToFloat}, so the bit
 * manipulation lives here: half to float is exact; float to half rounds to nearest, ties to even,
 * with subnormals, infinities and NaN payloads handled.
 */
public final class Fp16 {
    private static final int FLOAT_EXP_BIAS = 127;
    private static final int HALF_EXP_BIAS = 15;
    private static final int HALF_INF = 0x7c00;
    private static final int HALF_QUIET_BIT = 0x0200;

    private Fp16() {
    }

    /** The exact float value of the half with bits {@code half}. */
    public static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24 is exact in float
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1f) {
            // infinity, or NaN with its payload kept in the top mantissa bits
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - HALF_EXP_BIAS + FLOAT_EXP_BIAS) << 23) | (mantissa << 13));
    }

    /** The half nearest to {@code value} (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            if (mantissa == 0) {
                return (short) (sign | HALF_INF);
            }
            int payload = mantissa >>> 13;
            return (short) (sign | HALF_INF | (payload == 0 ? HALF_QUIET_BIT : payload));
        }
        int unbiased = exponent - FLOAT_EXP_BIAS;
        if (unbiased >= -14) {
            // normal range; a carry out of the mantissa bumps the exponent, up to infinity
            int half = ((unbiased + HALF_EXP_BIAS) << 10) | (mantissa >>> 13);
            half = roundToEven(half, mantissa, 13);
            return (short) (sign | Math.min(half, HALF_INF));
        }
        if (unbiased < -25) {
            // below half the smallest subnormal (2^-25): rounds to zero
            return (short) sign;
        }
        // subnormal half: the value is (1.mantissa) * 2^unbiased = significand * 2^(unbiased - 23)
        int significand = 0x800000 | mantissa;
        int shift = -unbiased - 1;
        return (short) (sign | roundToEven(significand >>> shift, significand, shift));
    }

    /** Rounds {@code truncated} (= {@code source >>> shift}) by the {@code shift} low bits of {@code source}. */
    private static int roundToEven(int truncated, int source, int shift) {
        int dropped = source & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (dropped > halfway || (dropped == halfway && (truncated & 1) == 1)) {
            return truncated + 1;
        }
        return truncated;
    }
}
