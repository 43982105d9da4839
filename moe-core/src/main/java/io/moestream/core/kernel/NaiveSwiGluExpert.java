package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import java.util.Optional;

/**
 * The reference gated expert: plain loops in the order of the math, accumulating in double, with the biases and the
 * activation its weights carry. Slow by design; every fast kernel is tested against it.
 */
public final class NaiveSwiGluExpert implements ExpertKernel {
    private final Matrix w1;
    private final Matrix w2;
    private final Matrix w3;
    private final Optional<ExpertBiases> biases;
    private final GluActivation activation;

    public NaiveSwiGluExpert(ExpertWeights weights) {
        SwiGlu.checkShapes(weights);
        this.w1 = weights.w1();
        this.w2 = weights.w2();
        this.w3 = weights.w3();
        this.biases = weights.biases();
        this.activation = weights.activation();
    }

    @Override
    public Matrix forward(Matrix x) {
        SwiGlu.checkInput(x.cols(), dModel());
        int dModel = dModel();
        int dFf = dFf();
        float[] y = new float[x.rows() * dModel];
        double[] g = new double[dFf];
        for (int r = 0; r < x.rows(); r++) {
            // g: (d_ff,) = act(W1 · x_r + b1, W3 · x_r + b3)
            for (int j = 0; j < dFf; j++) {
                double h1 = biases.isPresent() ? biases.get().gate()[j] : 0;
                double h3 = biases.isPresent() ? biases.get().up()[j] : 0;
                for (int k = 0; k < dModel; k++) {
                    h1 += (double) w1.get(j, k) * x.get(r, k);
                    h3 += (double) w3.get(j, k) * x.get(r, k);
                }
                g[j] = activation.apply(h1, h3);
            }
            // y_r: (d_model,) = W2 · g + b2
            for (int i = 0; i < dModel; i++) {
                double sum = biases.isPresent() ? biases.get().down()[i] : 0;
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
