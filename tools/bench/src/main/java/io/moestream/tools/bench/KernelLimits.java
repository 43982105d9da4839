package io.moestream.tools.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.moestream.core.kernel.Blas;
import io.moestream.core.kernel.OpenBlasSwiGluExpert;
import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Items 1 and 2 of the bench: OpenBLAS sgemm on exactly the products one expert computes (the kernel limit),
 * then the expert kernel itself on the same rows, the two timed in turns. The sgemm figure has no copies, no
 * activation and no allocation, so the ratio says what the kernel loses around its two products.
 */
public final class KernelLimits {

    /** One micro-batch size: both rates in GFLOP/s of the expert's {@code 6 · rows · d_model · d_ff} operations. */
    public record Point(int rows, double sgemmGflops, double kernelGflops, double kernelTokensPerSecond) {

        @JsonProperty
        public double kernelToSgemm() {
            return kernelGflops / sgemmGflops;
        }
    }

    private KernelLimits() {
    }

    /**
     * Per micro-batch size, the faster sgemm and the faster kernel of two measurements (load from outside only slows a
     * run down); {@code first} and {@code second} have the same sizes in the same order.
     */
    public static List<Point> fasterOf(List<Point> first, List<Point> second) {
        List<Point> faster = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            Point a = first.get(i);
            Point b = second.get(i);
            Point kernel = a.kernelGflops() >= b.kernelGflops() ? a : b;
            faster.add(new Point(a.rows(), Math.max(a.sgemmGflops(), b.sgemmGflops()), kernel.kernelGflops(),
                    kernel.kernelTokensPerSecond()));
        }
        return faster;
    }

    public static List<Point> measure(BenchSpec spec, ExpertWeights weights) {
        List<Point> points = new ArrayList<>();
        try (OpenBlasSwiGluExpert kernel = new OpenBlasSwiGluExpert(weights)) {
            for (int rows : spec.kernelRows()) {
                double flops = spec.expertFlops(rows);
                Matrix x = Matrix.gaussian(rows, spec.dModel(), spec.seed() + rows);
                try (SgemmOperands sgemm = new SgemmOperands(spec, weights, rows)) {
                    BestTime.Pair best = BestTime.ofPair(sgemm::run, () -> kernel.forward(x));
                    points.add(new Point(rows, flops / best.first(), flops / best.second(), rows * 1e9 / best.second()));
                }
            }
        }
        return points;
    }

    /**
     * The expert's two products on off-heap operands, {@code h13 = x · W13ᵀ} and {@code y = g · W2ᵀ}, with the
     * expert's real weights: weights never written would be the operating system's one zero page, always in cache.
     */
    static final class SgemmOperands implements AutoCloseable {
        private final int rows;
        private final int d;
        private final int f;
        private final FloatPointer w13;
        private final FloatPointer w2;
        private final FloatPointer x;
        private final FloatPointer h13;
        private final FloatPointer g;
        private final FloatPointer y;

        SgemmOperands(BenchSpec spec, ExpertWeights weights, int rows) {
            this.rows = rows;
            this.d = spec.dModel();
            this.f = spec.dFf();
            // W13: (2*d_ff, d_model), W2: (d_model, d_ff), as the kernel stores them
            w13 = new FloatPointer(2L * f * d);
            w13.position(0).put(weights.w1().data(), 0, f * d);
            w13.position((long) f * d).put(weights.w3().data(), 0, f * d);
            w13.position(0);
            w2 = new FloatPointer(weights.w2().data());
            x = new FloatPointer(Matrix.gaussian(rows, d, spec.seed()).data());
            h13 = new FloatPointer(2L * rows * f);
            g = new FloatPointer(Matrix.gaussian(rows, f, spec.seed()).data());
            y = new FloatPointer((long) rows * d);
        }

        void run() {
            Blas.multiplyTransposed(rows, 2 * f, d, x, w13, h13);
            Blas.multiplyTransposed(rows, d, f, g, w2, y);
        }

        @Override
        public void close() {
            for (FloatPointer pointer : new FloatPointer[] {w13, w2, x, h13, g, y}) {
                pointer.close();
            }
        }
    }
}
