package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;

/** The gated-activation pieces shared by the kernels: the activations and the weight shape checks. */
final class SwiGlu {
    /** Past this |z/2|, tanh(z/2) is 1 to float precision, and the rational form below is not used beyond it. */
    private static final float TANH_LIMIT = 7.90531110763549805f;

    private SwiGlu() {
    }

    /** {@code silu(z) = z * sigmoid(z) = z / (1 + exp(-z))}, in double: the reference's form. */
    static double silu(double z) {
        return z / (1.0 + Math.exp(-z));
    }

    /**
     * {@code out[j] = silu(h1[j]) * h3[j]} for {@code j < n}, in float. The sigmoid is computed as
     * {@code (1 + tanh(z/2)) / 2} with a rational minimax tanh (the one Eigen uses for float; a few ulp of tanh),
     * clamped with absolute values instead of min/max. Only multiplications, additions, one division and
     * {@code Math.abs}: unlike {@code Math.exp}, which costs about as much as the expert's matrix products on
     * 256 rows, this loop is cheap and the JIT vectorizes it. It does so only in this form, every array at the same
     * index: with offsets into one array ({@code h[a + j]}, {@code h[b + j]}) Java 17's C2 cannot rule out overlap and
     * runs it scalar, about 9 times slower (4.9 against 0.54 ns per element on the 2-core development machine). The result differs from the double reference by at
     * most about {@code 3e-7 * |z * h3|}.
     */
    static void siluTimes(float[] h1, float[] h3, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            float z = h1[j];
            out[j] = z * sigmoid(z) * h3[j];
        }
    }

    /**
     * GPT-OSS's clamped SwiGLU, {@code out[j] = (clamp(h3[j], -limit, limit) + 1) · g · sigmoid(alpha · g)} with
     * {@code g = min(h1[j], limit)}, in float with the sigmoid of {@link #siluTimes}; {@code h1} and {@code h3} are
     * clamped in place. Two loops: C2 does not vectorize the one loop that does both, which took about 8 ns per element
     * on the 2-core development machine against 0.9 for these two.
     */
    static void clampedSwiGlu(float[] h1, float[] h3, float[] out, int n, float alpha, float limit) {
        for (int j = 0; j < n; j++) {
            h1[j] = Math.min(h1[j], limit);
            h3[j] = Math.max(-limit, Math.min(h3[j], limit)) + 1f;
        }
        for (int j = 0; j < n; j++) {
            float g = h1[j];
            out[j] = h3[j] * g * sigmoid(alpha * g);
        }
    }

    /**
     * {@code sigmoid(z) = (1 + tanh(z/2)) / 2} with a rational minimax tanh (the one Eigen uses for float; a few ulp
     * of tanh), clamped with absolute values instead of min/max.
     */
    private static float sigmoid(float z) {
        float half = 0.5f * z;
        // clamp(half, -L, L) without branches: (|half + L| - |half - L|) / 2
        float x = 0.5f * (Math.abs(half + TANH_LIMIT) - Math.abs(half - TANH_LIMIT));
        float x2 = x * x;
        float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
        p = p * x2 + -8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return 0.5f + 0.5f * (x * p / q);
    }

    /** Checks {@code w1, w3: [d_ff, d_model]}, {@code w2: [d_model, d_ff]} and the biases' lengths. */
    static void checkShapes(ExpertWeights w) {
        int dFf = w.w1().rows();
        int dModel = w.w1().cols();
        if (w.w3().rows() != dFf || w.w3().cols() != dModel || w.w2().rows() != dModel || w.w2().cols() != dFf) {
            throw new IllegalArgumentException("expert weights disagree: w1 " + w.w1() + ", w2 " + w.w2() + ", w3 "
                    + w.w3() + "; expected w1, w3 [d_ff, d_model] and w2 [d_model, d_ff]");
        }
        w.biases().ifPresent(b -> {
            if (b.gate().length != dFf || b.down().length != dModel) {
                throw new IllegalArgumentException("expert biases disagree with the weights: gate and up biases have "
                        + b.gate().length + " values, down " + b.down().length + "; d_ff is " + dFf + ", d_model " + dModel);
            }
        });
    }

    static void checkInput(int cols, int dModel) {
        if (cols != dModel) {
            throw new IllegalArgumentException("input has " + cols + " columns, the expert's d_model is " + dModel);
        }
    }
}
