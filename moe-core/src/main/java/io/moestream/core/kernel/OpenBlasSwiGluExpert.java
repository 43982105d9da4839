package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import java.nio.FloatBuffer;
import java.util.Optional;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The CPU gated expert on OpenBLAS, with the biases and the activation its weights carry (SiLU-GLU, or GPT-OSS's
 * clamped SwiGLU). Weights are copied once into off-heap memory, with {@code W1} and
 * {@code W3} stacked as {@code W13: [2*d_ff, d_model]} so both projections are one sgemm. The activation is written over
 * {@code h1} in place and the second product reads it there, so the only copies are the input in and the output out.
 * Scratch buffers grow to the largest batch seen and are reused. Not thread-safe: one thread at a time per instance.
 */
public final class OpenBlasSwiGluExpert implements ExpertKernel {
    private final int dModel;
    private final int dFf;
    private final FloatPointer w13;
    private final FloatPointer w2;
    private final Optional<ExpertBiases> biases;
    private final GatedRow gatedRow;
    private final OffHeapFloats xBuffer = new OffHeapFloats();
    private final OffHeapFloats h13Buffer = new OffHeapFloats();
    private final OffHeapFloats yBuffer = new OffHeapFloats();
    private boolean closed;

    public OpenBlasSwiGluExpert(ExpertWeights weights) {
        SwiGlu.checkShapes(weights);
        this.dModel = weights.w1().cols();
        this.dFf = weights.w1().rows();
        int projection = dFf * dModel;
        this.w13 = new FloatPointer(2L * projection);
        w13.position(0).put(weights.w1().data(), 0, projection);
        w13.position(projection).put(weights.w3().data(), 0, projection);
        w13.position(0);
        this.w2 = new FloatPointer(weights.w2().data());
        this.biases = weights.biases();
        this.gatedRow = new GatedRow(weights.biases(), weights.activation());
    }

    @Override
    public Matrix forward(Matrix x) {
        if (closed) {
            throw new IllegalStateException("expert kernel is closed");
        }
        SwiGlu.checkInput(x.cols(), dModel);
        int rows = x.rows();
        float[] y = new float[rows * dModel];
        if (rows == 0) {
            return new Matrix(0, dModel, y);
        }
        // h13: (rows, 2*d_ff) = x · W13ᵀ; columns [0, d_ff) are h1 = x · W1ᵀ, [d_ff, 2*d_ff) are h3 = x · W3ᵀ
        FloatPointer xOff = xBuffer.fill(x.data(), rows * dModel);
        FloatPointer h13Off = h13Buffer.ensure(2L * rows * dFf);
        Blas.multiplyTransposed(rows, 2 * dFf, dModel, xOff, w13, h13Off);
        // g = act(h1 + b1, h3 + b3), written over h1 in place, so h13 never leaves off-heap memory as a whole
        FloatBuffer h13 = h13Off.position(0).asBuffer();
        ParallelRows.forRows(rows, dFf, (from, to) -> gateRows(h13, from, to));
        // y: (rows, d_model) = g · W2ᵀ, reading g from h13 with a row stride of 2*d_ff
        FloatPointer yOff = yBuffer.ensure((long) rows * dModel);
        Blas.multiplyTransposed(rows, dModel, dFf, h13Off, 2 * dFf, w2, yOff);
        yOff.position(0).get(y, 0, y.length);
        biases.ifPresent(b -> GatedRow.addToEveryRow(y, b.down()));
        return new Matrix(rows, dModel, y);
    }

    @Override
    public int dModel() {
        return dModel;
    }

    @Override
    public int dFf() {
        return dFf;
    }

    /** Frees the off-heap weights and scratch; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        w13.deallocate();
        w2.deallocate();
        xBuffer.close();
        h13Buffer.close();
        yBuffer.close();
    }

    /**
     * Rows {@code [from, to)} of the activation, one row at a time through heap scratch that stays in the cache:
     * absolute bulk copies are safe from several threads, and {@link SwiGlu#siluTimes} on heap arrays is a loop the
     * JIT vectorizes.
     */
    private void gateRows(FloatBuffer h13, int from, int to) {
        float[] h1 = new float[dFf];
        float[] h3 = new float[dFf];
        float[] g = new float[dFf];
        for (int r = from; r < to; r++) {
            gatedRow.applyToRow(h13, r, h1, h3, g, dFf);
            h13.put(r * 2 * dFf, g, 0, dFf);
        }
    }
}
