package io.moestream.core.kernel;

import io.moestream.core.tensor.Matrix;

/**
 * The router's scores: {@code logits[rows, n_experts] = x[rows, d_model] · W_gateᵀ}, one sgemm per chunk.
 * The gate is small ({@code [n_experts, d_model]}), so it stays on the heap; the class holds no mutable
 * state and is safe to share between threads.
 */
public final class GateScorer {
    private final Matrix gate;

    public GateScorer(Matrix gate) {
        this.gate = gate;
    }

    public int numExperts() {
        return gate.rows();
    }

    public Matrix logits(Matrix x) {
        if (x.cols() != gate.cols()) {
            throw new IllegalArgumentException("input has " + x.cols() + " columns, the gate's d_model is " + gate.cols());
        }
        // logits: (rows, n_experts)
        float[] logits = new float[x.rows() * gate.rows()];
        if (x.rows() > 0) {
            Blas.multiplyTransposed(x.rows(), gate.rows(), gate.cols(), x.data(), gate.data(), logits);
        }
        return new Matrix(x.rows(), gate.rows(), logits);
    }
}
