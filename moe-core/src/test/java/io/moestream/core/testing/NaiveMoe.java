package io.moestream.core.testing;

import io.moestream.core.kernel.NaiveSwiGluExpert;
import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.MoeConfig;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.Routing;
import io.moestream.core.routing.TopKRouting;
import io.moestream.core.tensor.Matrix;

/**
 * An independent, slow composition of a MoE layer for tests: naive logits (plus GPT-OSS's router bias), the family's
 * top-k routing, naive experts applied row by row (Llama-4: on the row times its weight, the output unweighted), the
 * shared expert (weighted by the naive sigmoid of its gate, or by 1) on every row, accumulated in double. Shares no code path with the reference layer's BLAS kernels or its {@code LayerRouter}.
 */
public final class NaiveMoe {
    private NaiveMoe() {
    }

    /** logits: (rows, n_experts) = x · gateᵀ, accumulated in double. */
    public static Matrix logits(Matrix x, Matrix gate) {
        float[] out = new float[x.rows() * gate.rows()];
        for (int r = 0; r < x.rows(); r++) {
            for (int e = 0; e < gate.rows(); e++) {
                double sum = 0;
                for (int k = 0; k < x.cols(); k++) {
                    sum += (double) x.get(r, k) * gate.get(e, k);
                }
                out[r * gate.rows() + e] = (float) sum;
            }
        }
        return new Matrix(x.rows(), gate.rows(), out);
    }

    /** y: (rows, d_model) = Σ over each row's top-k experts of gate weight · naive expert output, plus the shared one. */
    public static Matrix layer(MoeModel model, int layer, Matrix x) {
        MoeConfig config = model.config();
        Matrix logits = logits(x, model.gate(layer));
        model.routerBias(layer).ifPresent(bias -> {
            for (int i = 0; i < logits.data().length; i++) {
                logits.data()[i] += bias[i % bias.length];
            }
        });
        Routing routing = new TopKRouting(config.router(), model.correctionBias(layer).orElse(null)).route(logits);
        boolean weighsInput = config.family() == ModelFamily.LLAMA4_TEXT;
        NaiveSwiGluExpert[] experts = new NaiveSwiGluExpert[config.servedExperts()];
        NaiveSwiGluExpert shared = config.family().hasSharedExpert()
                ? new NaiveSwiGluExpert(model.expert(layer, config.numExperts())) : null;
        Matrix sharedGate = model.sharedExpertGate(layer).map(g -> logits(x, g)).orElse(null);
        double[] y = new double[x.rows() * x.cols()];
        for (int r = 0; r < x.rows(); r++) {
            Matrix row = x.gatherRows(new int[] {r});
            for (int slot = 0; slot < routing.k(); slot++) {
                int e = routing.expert(r, slot);
                if (experts[e] == null) {
                    experts[e] = new NaiveSwiGluExpert(model.expert(layer, e));
                }
                float weight = routing.weight(r, slot);
                Matrix out = experts[e].forward(weighsInput ? row.scaleRows(new float[] {weight}) : row);
                for (int c = 0; c < x.cols(); c++) {
                    y[r * x.cols() + c] += (weighsInput ? 1.0 : weight) * out.data()[c];
                }
            }
            if (shared != null) {
                double weight = sharedGate == null ? 1 : 1 / (1 + Math.exp(-sharedGate.get(r, 0)));
                Matrix out = shared.forward(row);
                for (int c = 0; c < x.cols(); c++) {
                    y[r * x.cols() + c] += weight * out.data()[c];
                }
            }
        }
        float[] result = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            result[i] = (float) y[i];
        }
        return new Matrix(x.rows(), x.cols(), result);
    }
}
