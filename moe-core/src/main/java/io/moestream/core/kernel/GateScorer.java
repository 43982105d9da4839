package io.moestream.core.kernel;

import io.moestream.core.tensor.Matrix;

/**
 * The router's scores: {@code logits[rows, n_experts] = x[rows, d_model] · W_gateᵀ (+ bias)}, one sgemm per chunk;
 * GPT-OSS's router has the bias. The gate is small ({@code [n_experts, d_model]}), so it stays on the heap; the class
 * holds no mutable state and is safe to share between threads.
 */
public final class GateScorer {
    private final Matrix gate;
    /** (n_experts,) or null. */
    private final float[] bias;
    /**
     * Largest |x| for which no logit can overflow: half of float's range, less the largest |bias|, over the largest
     * L1 norm of a gate row.
     */
    private final float safeInputBound;

    public GateScorer(Matrix gate) {
        this(gate, null);
    }

    /** {@code bias}: one per expert, added to the logits; null for none. */
    public GateScorer(Matrix gate, float[] bias) {
        if (bias != null && bias.length != gate.rows()) {
            throw new IllegalArgumentException("router bias has " + bias.length + " values for " + gate.rows() + " experts");
        }
        this.gate = gate;
        this.bias = bias;
        double maxBias = 0;
        for (int e = 0; bias != null && e < bias.length; e++) {
            if (!Float.isFinite(bias[e])) {
                throw new IllegalArgumentException("router bias of expert " + e + " is " + bias[e]);
            }
            maxBias = Math.max(maxBias, Math.abs(bias[e]));
        }
        double maxRowL1 = 0;
        for (int e = 0; e < gate.rows(); e++) {
            double l1 = 0;
            for (int j = 0; j < gate.cols(); j++) {
                l1 += Math.abs(gate.data()[e * gate.cols() + j]);
            }
            maxRowL1 = Math.max(maxRowL1, l1);
        }
        // a float, so the per-value compare needs no widening; the factor 2 of slack covers the rounding
        this.safeInputBound = maxRowL1 == 0 ? Float.POSITIVE_INFINITY
                : (float) ((Float.MAX_VALUE / 2.0 - maxBias) / maxRowL1);
    }

    /**
     * Whether every logit of the finite input {@code x} is finite, decided without the product where it can be: a
     * logit and every partial sum of it are at most max|x| · (L1 norm of its gate row). False means "compute the
     * logits to know", not "they overflow".
     */
    public boolean logitsSurelyFinite(Matrix x) {
        for (float v : x.data()) {
            // one compare per value: a float max reduction costs C2 several times more (the gateway's profile showed it)
            if (!(Math.abs(v) <= safeInputBound)) {
                return false;
            }
        }
        return true;
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
        for (int i = 0; bias != null && i < logits.length; i++) {
            logits[i] += bias[i % bias.length];
        }
        return new Matrix(x.rows(), gate.rows(), logits);
    }
}
