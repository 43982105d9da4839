package io.moestream.core.layer;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.kernel.OpenBlasFp32Backend;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.ExpertAssignment;
import io.moestream.core.routing.GateWeighting;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.RoutedChunk;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.Matrix;

/**
 * One MoE layer computed in one process: the result every distributed path is compared against. In the
 * order of the math: logits, routing, then each expert that got rows runs once over all of them, and its
 * gate-weighted outputs are added into the rows they came from. Nothing is padded; a token loses an expert only
 * where the routing options drop or skip it.
 * Expert kernels, of the backend given (FP32 on OpenBLAS by default; BF16 to compare with BF16 experts like with like),
 * are created on first use and freed by {@link #close()}. One thread at a time.
 */
public final class ReferenceMoeLayer implements AutoCloseable {
    private final MoeModel model;
    private final int layer;
    private final LayerRouter router;
    private final KernelBackend backend;
    private final ExpertKernel[] experts;

    public ReferenceMoeLayer(MoeModel model, int layer) {
        this(model, layer, RoutingOptions.NONE);
    }

    /** The layer routed with the deployment's routing options, as a router configured with them routes it. */
    public ReferenceMoeLayer(MoeModel model, int layer, RoutingOptions options) {
        this(model, layer, options, OpenBlasFp32Backend.INSTANCE);
    }

    /** As above, with the experts computed on {@code backend}. */
    public ReferenceMoeLayer(MoeModel model, int layer, RoutingOptions options, KernelBackend backend) {
        this.model = model;
        this.layer = layer;
        this.router = model.router(layer, options);
        this.backend = backend;
        this.experts = new ExpertKernel[model.config().servedExperts()];
    }

    /**
     * y: (rows, d_model) = Σ_i gate_i · E_i(x) over each row's chosen experts and the shared expert, or Σ_i E_i(gate_i · x)
     * where the layer's weights apply to the experts' inputs (Llama-4).
     */
    public Matrix forward(Matrix x) {
        return forwardWithStats(x).output();
    }

    public LayerOutput forwardWithStats(Matrix x) {
        int dModel = model.config().dModel();
        if (x.cols() != dModel) {
            throw new IllegalArgumentException("input has " + x.cols() + " columns, the model's d_model is " + dModel);
        }
        // routed: each expert's rows and gate weights, the shared expert's (all rows) included
        RoutedChunk routed = router.route(x);
        float[] y = new float[x.rows() * dModel];
        long[] tokensPerExpert = new long[experts.length];
        for (ExpertAssignment assignment : routed.assignments()) {
            // expert_out: (assigned rows, d_model), each row's gate weight applied to its input or its output
            GateWeighting weighting = router.weighting();
            Matrix expertIn = weighting.expertInput(x.gatherRows(assignment.rowIndex()), assignment.gateWeights());
            Matrix expertOut = weighting.weightedOutput(expert(assignment.expert()).forward(expertIn),
                    assignment.gateWeights());
            scatterAdd(expertOut, assignment.rowIndex(), y, dModel);
            tokensPerExpert[assignment.expert()] = assignment.rowIndex().length;
        }
        return new LayerOutput(new Matrix(x.rows(), dModel, y), tokensPerExpert);
    }

    @Override
    public void close() {
        for (int e = 0; e < experts.length; e++) {
            if (experts[e] != null) {
                experts[e].close();
                experts[e] = null;
            }
        }
    }

    private ExpertKernel expert(int e) {
        if (experts[e] == null) {
            experts[e] = backend.load(model.expert(layer, e));
        }
        return experts[e];
    }

    private static void scatterAdd(Matrix rows, int[] rowIndex, float[] target, int cols) {
        for (int i = 0; i < rowIndex.length; i++) {
            int from = i * cols;
            int to = rowIndex[i] * cols;
            for (int c = 0; c < cols; c++) {
                target[to + c] += rows.data()[from + c];
            }
        }
    }
}
