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
 * then the expert kernel itself on the same rows. The sgemm figure has no copies, no activation and no
 * allocation, so the ratio says what the kernel loses around its two products.
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

    public static List<Point> measure(BenchSpec spec, ExpertWeights weights) {
        List<Point> points = new ArrayList<>();
        try (OpenBlasSwiGluExpert kernel = new OpenBlasSwiGluExpert(weights)) {
            for (int rows : spec.kernelRows()) {
                double flops = spec.expertFlops(rows);
                long sgemmNanos = sgemmOnly(spec, weights, rows);
                Matrix x = RandomTensors.gaussian(rows, spec.dModel(), spec.seed() + rows);
                long kernelNanos = BestTime.of(() -> kernel.forward(x));
                points.add(new Point(rows, flops / sgemmNanos, flops / kernelNanos, rows * 1e9 / kernelNanos));
            }
        }
        return points;
    }

    /** The expert's two products on off-heap operands: {@code h13 = x · W13ᵀ}, {@code y = g · W2ᵀ}. */
    private static long sgemmOnly(BenchSpec spec, ExpertWeights weights, int rows) {
        int d = spec.dModel();
        int f = spec.dFf();
        // W13: (2*d_ff, d_model), W2: (d_model, d_ff), as the kernel stores them
        try (FloatPointer w13 = new FloatPointer(2L * f * d);
             FloatPointer w2 = new FloatPointer(weights.w2().data());
             FloatPointer x = new FloatPointer(RandomTensors.gaussian(rows, d, spec.seed()).data());
             FloatPointer h13 = new FloatPointer(2L * rows * f);
             FloatPointer g = new FloatPointer(RandomTensors.gaussian(rows, f, spec.seed()).data());
             FloatPointer y = new FloatPointer((long) rows * d)) {
            w13.position(0).put(weights.w1().data(), 0, f * d);
            w13.position((long) f * d).put(weights.w3().data(), 0, f * d);
            w13.position(0);
            return BestTime.of(() -> {
                Blas.multiplyTransposed(rows, 2 * f, d, x, w13, h13);
                Blas.multiplyTransposed(rows, d, f, g, w2, y);
            });
        }
    }
}
