package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Bf16;
import io.moestream.core.tensor.Matrix;
import java.util.Optional;

/**
 * The reference gated expert: plain loops in the order of the math, accumulating in double, with the biases and the
 * activation its weights carry. Slow by design; every fast kernel is tested against it. {@link #bf16} is the twin of
 * the BF16 kernels: the weights, the input and the activation are rounded to BF16 where those kernels round them.
 */
public final class NaiveSwiGluExpert implements ExpertKernel {
    private final Matrix w1;
    private final Matrix w2;
    private final Matrix w3;
    private final Optional<ExpertBiases> biases;
    private final GluActivation activation;
    private final boolean bf16;

    public NaiveSwiGluExpert(ExpertWeights weights) {
        this(weights, false);
    }

    private NaiveSwiGluExpert(ExpertWeights weights, boolean bf16) {
        SwiGlu.checkShapes(weights);
        this.w1 = bf16 ? Bf16.round(weights.w1()) : weights.w1();
        this.w2 = bf16 ? Bf16.round(weights.w2()) : weights.w2();
        this.w3 = bf16 ? Bf16.round(weights.w3()) : weights.w3();
        this.biases = weights.biases();
        this.activation = weights.activation();
        this.bf16 = bf16;
    }

    /** The naive expert with BF16 operands in both products, as {@link OneDnnBf16Expert} computes. */
    public static NaiveSwiGluExpert bf16(ExpertWeights weights) {
        return new NaiveSwiGluExpert(weights, true);
    }

    @Override
    public Matrix forward(Matrix input) {
        SwiGlu.checkInput(input.cols(), dModel());
        Matrix x = bf16 ? Bf16.round(input) : input;
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
                g[j] = bf16 ? Bf16.toFloat(Bf16.fromFloat((float) activation.apply(h1, h3))) : activation.apply(h1, h3);
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
