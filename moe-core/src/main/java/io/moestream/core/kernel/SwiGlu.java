package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;

/** The SwiGLU pieces shared by the kernels: the activation and the weight shape checks. */
final class SwiGlu {
    private SwiGlu() {
    }

    /** {@code silu(z) = z * sigmoid(z) = z / (1 + exp(-z))}. */
    static double silu(double z) {
        return z / (1.0 + Math.exp(-z));
    }

    /** Checks {@code w1, w3: [d_ff, d_model]} and {@code w2: [d_model, d_ff]}. */
    static void checkShapes(ExpertWeights w) {
        int dFf = w.w1().rows();
        int dModel = w.w1().cols();
        if (w.w3().rows() != dFf || w.w3().cols() != dModel || w.w2().rows() != dModel || w.w2().cols() != dFf) {
            throw new IllegalArgumentException("expert weights disagree: w1 " + w.w1() + ", w2 " + w.w2() + ", w3 "
                    + w.w3() + "; expected w1, w3 [d_ff, d_model] and w2 [d_model, d_ff]");
        }
    }

    static void checkInput(int cols, int dModel) {
        if (cols != dModel) {
            throw new IllegalArgumentException("input has " + cols + " columns, the expert's d_model is " + dModel);
        }
    }
}
