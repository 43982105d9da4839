package io.moestream.tools.bench;

import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.kernel.OpenBlasFp32Backend;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.Matrix;
import org.HdrHistogram.Histogram;

/**
 * Item 3 of the bench: the in-process reference MoE layer, the limit without distribution. It runs the layer on
 * the whole input at once (every expert sees all its rows in one product: the fastest this machine computes the
 * layer) and chunk by chunk, as the pipeline receives it (whose per-chunk time is the compute part of a round trip).
 */
public final class ReferenceLimit {
    private static final int WHOLE_RUNS = 2;

    /** The measured limits, and the layer's output, against which the pipeline's output is checked. */
    public record Result(double wholeTokensPerSecond, double chunkedTokensPerSecond, LatencySummary chunkCompute,
                         Matrix output) {

        /**
         * The faster figures of two measurements of the same layer on the same input: load from outside only ever
         * slows a run down, so on a shared machine the faster one is the nearer to what the machine can do.
         */
        public Result fasterOf(Result other) {
            Result chunked = chunkedTokensPerSecond >= other.chunkedTokensPerSecond ? this : other;
            return new Result(Math.max(wholeTokensPerSecond, other.wholeTokensPerSecond), chunked.chunkedTokensPerSecond,
                    chunked.chunkCompute, output);
        }
    }

    private ReferenceLimit() {
    }

    public static Result measure(MoeModel model, Matrix x, int chunkRows) {
        return measure(model, x, chunkRows, OpenBlasFp32Backend.INSTANCE);
    }

    /** As above, with the experts computed on {@code backend}. */
    public static Result measure(MoeModel model, Matrix x, int chunkRows, KernelBackend backend) {
        try (ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 0, RoutingOptions.NONE, backend)) {
            // the first chunk creates every expert's off-heap weights and warms up the JIT
            layer.forward(x.rowRange(0, chunkRows));
            Histogram chunkMicros = LatencySummary.newHistogram();
            long chunkedStart = System.nanoTime();
            for (int from = 0; from + chunkRows <= x.rows(); from += chunkRows) {
                Matrix chunk = x.rowRange(from, chunkRows);
                long start = System.nanoTime();
                layer.forward(chunk);
                LatencySummary.record(chunkMicros, System.nanoTime() - start);
            }
            double chunkedSeconds = (System.nanoTime() - chunkedStart) / 1e9;
            int chunkedTokens = x.rows() / chunkRows * chunkRows;

            Matrix output = null;
            long best = Long.MAX_VALUE;
            for (int run = 0; run < WHOLE_RUNS; run++) {
                long start = System.nanoTime();
                output = layer.forward(x);
                best = Math.min(best, System.nanoTime() - start);
            }
            return new Result(x.rows() * 1e9 / best, chunkedTokens / chunkedSeconds, LatencySummary.of(chunkMicros),
                    output);
        }
    }
}
