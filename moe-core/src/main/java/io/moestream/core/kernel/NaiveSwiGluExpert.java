package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;

/**
 * The reference SwiGLU expert: plain loops in the order of the math, accumulating in double. Slow by
 * design; every fast kernel is tested against it.
 */
public final class NaiveSwiGluExpert implements ExpertKernel {
    private final Matrix w1;
    private final Matrix w2;
    private final Matrix w3;

    public NaiveSwiGluExpert(ExpertWeights weights) {
        SwiGlu.checkShapes(weights);
        this.w1 = weights.w1();
        this.w2 = weights.w2();
        this.w3 = weights.w3();
    }

    @Override
    public Matrix forward(Matrix x) {
        SwiGlu.checkInput(x.cols(), dModel());
        int dModel = dModel();
        int dFf = dFf();
        float[] y = new float[x.rows() * dModel];
        double[] g = new double[dFf];
        for (int r = 0; r < x.rows(); r++) {
            // g: (d_ff,) = silu(W1 · x_r) ⊙ (W3 · x_r)
            for (int j = 0; j < dFf; j++) {
                double h1 = 0;
                double h3 = 0;
                for (int k = 0; k < dModel; k++) {
                    h1 += (double) w1.get(j, k) * x.get(r, k);
                    h3 += (double) w3.get(j, k) * x.get(r, k);
                }
                g[j] = SwiGlu.silu(h1) * h3;
            }
            // y_r: (d_model,) = W2 · g
            for (int i = 0; i < dModel; i++) {
                double sum = 0;
                for (int j = 0; j < dFf; j++) {
                    sum += w2.get(i, j) * g[j];
                }
                y[r * dModel + i] = (float) sum;
            }
        }
        return new Matrix(x.rows(), dModel, y);
    }

    @Override
    public int dModel() {
        return w1.cols();
    }

    @Override
    public int dFf() {
        return w1.rows();
    }

    /** Holds no native resources. */
    @Override
    public void close() {
        // nothing to release: the weights live on the heap
    }
}
