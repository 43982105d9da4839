package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The CPU SwiGLU expert on OpenBLAS. Weights are copied once into off-heap memory, with {@code W1} and
 * {@code W3} stacked as {@code W13: [2*d_ff, d_model]} so both projections are one sgemm. Scratch buffers
 * grow to the largest batch seen and are reused. Not thread-safe: one thread at a time per instance.
 */
public final class OpenBlasSwiGluExpert implements ExpertKernel {
    private final int dModel;
    private final int dFf;
    private final FloatPointer w13;
    private final FloatPointer w2;
    private final OffHeapFloats xBuffer = new OffHeapFloats();
    private final OffHeapFloats h13Buffer = new OffHeapFloats();
    private final OffHeapFloats gBuffer = new OffHeapFloats();
    private final OffHeapFloats yBuffer = new OffHeapFloats();
    private float[] h13 = new float[0];
    private float[] g = new float[0];
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
        // g: (rows, d_ff) = silu(h1) ⊙ h3
        float[] h = heapH13(2 * rows * dFf);
        h13Off.position(0).get(h, 0, 2 * rows * dFf);
        float[] gated = heapG(rows * dFf);
        ParallelRows.forRows(rows, dFf, (from, to) -> {
            for (int r = from; r < to; r++) {
                SwiGlu.siluTimes(h, r * 2 * dFf, r * 2 * dFf + dFf, gated, r * dFf, dFf);
            }
        });
        // y: (rows, d_model) = g · W2ᵀ
        FloatPointer gOff = gBuffer.fill(gated, rows * dFf);
        FloatPointer yOff = yBuffer.ensure((long) rows * dModel);
        Blas.multiplyTransposed(rows, dModel, dFf, gOff, w2, yOff);
        yOff.position(0).get(y, 0, y.length);
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
        gBuffer.close();
        yBuffer.close();
    }

    private float[] heapH13(int size) {
        if (h13.length < size) {
            h13 = new float[size];
        }
        return h13;
    }

    private float[] heapG(int size) {
        if (g.length < size) {
            g = new float[size];
        }
        return g;
    }
}
