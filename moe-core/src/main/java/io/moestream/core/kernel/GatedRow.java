package io.moestream.core.kernel;

import java.nio.FloatBuffer;
import java.util.Optional;

/**
 * One row's gated activation as the fast kernels compute it, in float: {@code g = act(h1 + b1, h3 + b3)} with the
 * biases and the activation the expert's weights carry. {@code h1} and {@code h3} are overwritten.
 */
record GatedRow(Optional<ExpertBiases> biases, GluActivation activation) {

    /**
     * {@code g} of row {@code r} of {@code h13: (rows, 2*d_ff)}, whose first {@code d_ff} columns are h1 and the next h3,
     * read through the caller's scratch {@code h1} and {@code h3} (absolute reads: safe from several threads).
     */
    void applyToRow(FloatBuffer h13, int r, float[] h1, float[] h3, float[] g, int dFf) {
        h13.get(r * 2 * dFf, h1, 0, dFf);
        h13.get(r * 2 * dFf + dFf, h3, 0, dFf);
        apply(h1, h3, g, dFf);
    }

    void apply(float[] h1, float[] h3, float[] g, int dFf) {
        if (biases.isPresent()) {
            add(h1, biases.get().gate());
            add(h3, biases.get().up());
        }
        if (activation.clamped()) {
            SwiGlu.clampedSwiGlu(h1, h3, g, dFf, activation.alpha(), activation.limit());
        } else {
            SwiGlu.siluTimes(h1, h3, g, dFf);
        }
    }

    /** {@code y[r, :] += bias} for every row of the row-major {@code y}. */
    static void addToEveryRow(float[] y, float[] bias) {
        for (int from = 0; from < y.length; from += bias.length) {
            for (int c = 0; c < bias.length; c++) {
                y[from + c] += bias[c];
            }
        }
    }

    private static void add(float[] values, float[] bias) {
        for (int j = 0; j < values.length; j++) {
            values[j] += bias[j];
        }
    }
}
