package io.moestream.core.model;

import io.moestream.core.kernel.ExpertBiases;
import io.moestream.core.kernel.GluActivation;
import io.moestream.core.tensor.Matrix;
import java.util.Optional;

/**
 * One gated expert's weights: {@code w1} (gate) and {@code w3} (up) {@code [d_ff, d_model]}, {@code w2} (down)
 * {@code [d_model, d_ff]}, the biases of the families that have them (GPT-OSS), and the activation between the
 * projections. Fused checkpoints are split into gate and up rows when loaded, so every kernel sees this one form.
 */
public record ExpertWeights(Matrix w1, Matrix w2, Matrix w3, Optional<ExpertBiases> biases, GluActivation activation) {

    /** A SiLU-GLU expert without biases (every family but GPT-OSS). */
    public ExpertWeights(Matrix w1, Matrix w2, Matrix w3) {
        this(w1, w2, w3, Optional.empty(), GluActivation.SILU_GLU);
    }
}
