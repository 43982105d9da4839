package io.moestream.core.model;

import io.moestream.core.tensor.Matrix;

/** One SwiGLU expert's weights: {@code w1, w3: [d_ff, d_model]}, {@code w2: [d_model, d_ff]}. */
public record ExpertWeights(Matrix w1, Matrix w2, Matrix w3) {
}
