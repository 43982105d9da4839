package io.moestream.tools.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.kernel.OneDnn;
import io.moestream.core.kernel.OneDnnBf16Expert;
import io.moestream.core.kernel.OpenBlasSwiGluExpert;
import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Bf16;
import io.moestream.core.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernels in both precisions, at each micro-batch size, four operations timed in turns: OpenBLAS sgemm of the
 * expert's two products (the FP32 limit), oneDNN's BF16 matmuls of the same products on the expert's blocked weights
 * (the BF16 limit), and the expert kernel on each backend. Where the CPU has no BF16 units the BF16 figures are
 * null and {@code bf16Note} says why.
 *
 * @param bf16Implementation oneDNN's BF16 matmul implementation here (e.g. {@code brg:avx512_core_amx}), or null
 * @param amx                whether that implementation runs on AMX (the targets of issue 18 assume it does)
 * @param bf16Note           what limits the BF16 figures on this CPU
 */
public record Bf16Kernels(String bf16Implementation, boolean amx, String bf16Note, List<Point> kernels) {

    /** GFLOP/s of the expert's {@code 6 · rows · d_model · d_ff} operations; the BF16 ones null without BF16 units. */
    public record Point(int rows, double sgemmFp32Gflops, Double matmulBf16Gflops, double expertFp32Gflops,
                        Double expertBf16Gflops) {

        /** The BF16 expert over oneDNN's matmul alone (target: 0.85 at 256 rows). */
        @JsonProperty
        public Double expertBf16ToMatmul() {
            return expertBf16Gflops == null ? null : expertBf16Gflops / matmulBf16Gflops;
        }

        /** The BF16 expert over OpenBLAS sgemm (target with AMX: 4 at 256 rows). */
        @JsonProperty
        public Double expertBf16ToSgemm() {
            return expertBf16Gflops == null ? null : expertBf16Gflops / sgemmFp32Gflops;
        }
    }

    /** A seeded random expert of the spec's shape, stored as BF16 would store it, so both backends hold the same values. */
    public static ExpertWeights randomWeights(BenchSpec spec) {
        return new ExpertWeights(Bf16.round(Matrix.gaussian(spec.dFf(), spec.dModel(), spec.seed())),
                Bf16.round(Matrix.gaussian(spec.dModel(), spec.dFf(), spec.seed() + 1)),
                Bf16.round(Matrix.gaussian(spec.dFf(), spec.dModel(), spec.seed() + 2)));
    }

    public static Bf16Kernels measure(BenchSpec spec, ExpertWeights weights) {
        OneDnn.Bf16Support support = OneDnn.bf16Support();
        List<Point> points = new ArrayList<>();
        try (OpenBlasSwiGluExpert fp32 = new OpenBlasSwiGluExpert(weights);
                ExpertKernel bf16 = support.available() ? new OneDnnBf16Expert(weights) : null) {
            for (int rows : spec.kernelRows()) {
                double flops = spec.expertFlops(rows);
                Matrix x = Matrix.gaussian(rows, spec.dModel(), spec.seed() + rows);
                try (KernelLimits.SgemmOperands sgemm = new KernelLimits.SgemmOperands(spec, weights, rows)) {
                    if (bf16 == null) {
                        long[] best = BestTime.inTurns(sgemm::run, () -> fp32.forward(x));
                        points.add(new Point(rows, flops / best[0], null, flops / best[1], null));
                        continue;
                    }
                    OneDnnBf16Expert kernel = (OneDnnBf16Expert) bf16;
                    kernel.forward(x);
                    long[] best = BestTime.inTurns(sgemm::run, () -> kernel.productsOnly(rows), () -> fp32.forward(x),
                            () -> kernel.forward(x));
                    points.add(new Point(rows, flops / best[0], flops / best[1], flops / best[2], flops / best[3]));
                }
            }
        }
        String implementation = support.available() ? support.detail() : null;
        boolean amx = implementation != null && implementation.contains("amx");
        String note = !support.available() ? "no BF16 kernel on this CPU (" + support.detail() + "): FP32 only"
                : amx ? "AMX" : "this CPU has no AMX: oneDNN runs BF16 on " + implementation
                        + "; the 4x-sgemm target assumes AMX and cannot be met here";
        return new Bf16Kernels(implementation, amx, note, points);
    }
}
