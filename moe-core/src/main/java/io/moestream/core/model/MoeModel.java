package io.moestream.core.model;

import io.moestream.core.io.TensorStore;
import io.moestream.core.kernel.GateScorer;
import io.moestream.core.model.ModelFamily.FusedProjection;
import io.moestream.core.model.ModelFamily.SwiGluProjection;
import io.moestream.core.routing.ConfiguredRouting;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.routing.RoutingPolicy;
import io.moestream.core.routing.TopKRouting;
import io.moestream.core.tensor.Matrix;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The MoE tensors of a model directory (Hugging Face layout) with its config. A checkpoint that holds only
 * the MoE tensors is valid; a layer counts as a MoE layer when its gate tensor is present. Tensors are read
 * on each call and their shapes checked against the config. Safe for concurrent reads.
 */
public final class MoeModel implements AutoCloseable {
    private final Path modelDir;
    private final MoeConfig config;
    private final TensorStore store;
    private final SortedSet<Integer> moeLayers;

    private MoeModel(Path modelDir, MoeConfig config, TensorStore store) {
        this.modelDir = modelDir;
        this.config = config;
        this.store = store;
        SortedSet<Integer> layers = new TreeSet<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            if (store.contains(config.family().gateTensor(layer))) {
                layers.add(layer);
            }
        }
        this.moeLayers = Collections.unmodifiableSortedSet(layers);
    }

    public static MoeModel open(Path modelDir) {
        MoeConfig config = MoeConfig.read(modelDir);
        TensorStore store = TensorStore.open(modelDir);
        MoeModel model = new MoeModel(modelDir, config, store);
        if (model.moeLayers.isEmpty()) {
            store.close();
            throw new IllegalArgumentException("no MoE gate tensor (" + config.family().gateTensor(0)
                    + " or another layer's) in " + modelDir);
        }
        return model;
    }

    public MoeConfig config() {
        return config;
    }

    public SortedSet<Integer> moeLayers() {
        return moeLayers;
    }

    /** The router weight {@code [n_experts, d_model]} of {@code layer}. */
    public Matrix gate(int layer) {
        return load(config.family().gateTensor(layer), config.numExperts(), config.dModel());
    }

    /**
     * The three projections of one served expert: a routed expert ({@code 0 <= expert < n_experts}) or, where the
     * family has one, the shared expert ({@code expert == n_experts}).
     */
    public ExpertWeights expert(int layer, int expert) {
        if (expert < 0 || expert >= config.servedExperts()) {
            throw new IllegalArgumentException(
                    "expert " + expert + " is outside [0, " + config.servedExperts() + ") of " + modelDir);
        }
        ModelFamily family = config.family();
        if (expert == config.numExperts()) {
            int dFf = config.sharedExpertDFf();
            return new ExpertWeights(
                    load(family.sharedExpertTensor(layer, SwiGluProjection.GATE), dFf, config.dModel()),
                    load(family.sharedExpertTensor(layer, SwiGluProjection.DOWN), config.dModel(), dFf),
                    load(family.sharedExpertTensor(layer, SwiGluProjection.UP), dFf, config.dModel()));
        }
        if (hasFusedExperts(layer)) {
            return fusedExpert(layer, expert);
        }
        return new ExpertWeights(
                load(family.expertTensor(layer, expert, SwiGluProjection.GATE), config.dFf(), config.dModel()),
                load(family.expertTensor(layer, expert, SwiGluProjection.DOWN), config.dModel(), config.dFf()),
                load(family.expertTensor(layer, expert, SwiGluProjection.UP), config.dFf(), config.dModel()));
    }

    /** Whether {@code layer} keeps its routed experts in the fused layout ({@code experts.gate_up_proj}, {@code experts.down_proj}). */
    public boolean hasFusedExperts(int layer) {
        return store.contains(config.family().fusedExpertTensor(layer, FusedProjection.GATE_UP));
    }

    /**
     * One routed expert sliced out of the fused tensors {@code gate_up_proj [E, 2I, H]} (gate: rows {@code [0, I)},
     * up: rows {@code [I, 2I)}) and {@code down_proj [E, H, I]}; only that expert's bytes are read.
     */
    private ExpertWeights fusedExpert(int layer, int expert) {
        String gateUp = config.family().fusedExpertTensor(layer, FusedProjection.GATE_UP);
        String down = config.family().fusedExpertTensor(layer, FusedProjection.DOWN);
        int experts = config.numExperts();
        int dFf = config.dFf();
        int dModel = config.dModel();
        checkShape(gateUp, new long[] {experts, 2L * dFf, dModel}, new long[] {experts, dModel, 2L * dFf});
        checkShape(down, new long[] {experts, dModel, dFf}, new long[] {experts, dFf, dModel});
        return new ExpertWeights(
                store.slice(gateUp, expert, 0, dFf),
                store.slice(down, expert, 0, dModel),
                store.slice(gateUp, expert, dFf, dFf));
    }

    /** Fails naming the tensor when it is missing or not {@code [expected]}, and says so when it is the transposed form. */
    private void checkShape(String name, long[] expected, long[] transposed) {
        if (!store.contains(name)) {
            throw new IllegalArgumentException("missing tensor " + name + " in " + modelDir
                    + " (the layer's experts are in the fused layout)");
        }
        long[] shape = store.shape(name);
        if (Arrays.equals(shape, expected)) {
            return;
        }
        String transposedNote = Arrays.equals(shape, transposed)
                ? " (the transposed fused layout, which is not supported)"
                : "";
        throw new IllegalArgumentException(name + " has shape " + Arrays.toString(shape) + transposedNote + " but "
                + MoeConfig.CONFIG_FILE + " implies " + Arrays.toString(expected) + " in " + modelDir);
    }

    /** DeepSeek-V3's selection bias {@code [n_experts]} of {@code layer}; empty for the other families. */
    public Optional<float[]> correctionBias(int layer) {
        ModelFamily family = config.family();
        return family.hasCorrectionBias()
                ? Optional.of(load(family.correctionBiasTensor(layer), 1, config.numExperts()).data())
                : Optional.empty();
    }

    /** Qwen2-MoE's shared-expert gate {@code [1, d_model]} of {@code layer}; empty for the other families. */
    public Optional<Matrix> sharedExpertGate(int layer) {
        ModelFamily family = config.family();
        return family.sharedExpertGated()
                ? Optional.of(load(family.sharedExpertGateTensor(layer), 1, config.dModel()))
                : Optional.empty();
    }

    /** The router of {@code layer} as the family's Hugging Face definition computes it, shared expert included. */
    public LayerRouter router(int layer) {
        return router(layer, RoutingOptions.NONE);
    }

    /** The router of {@code layer}: the family's, with the deployment's routing options on top. */
    public LayerRouter router(int layer, RoutingOptions options) {
        Optional<LayerRouter.SharedExpert> shared = config.family().hasSharedExpert()
                ? Optional.of(new LayerRouter.SharedExpert(config.numExperts(), sharedExpertGate(layer).map(GateScorer::new)))
                : Optional.empty();
        TopKRouting family = new TopKRouting(config.router(), correctionBias(layer).orElse(null));
        RoutingPolicy policy = options.isNone() ? family : new ConfiguredRouting(family, options);
        return new LayerRouter(new GateScorer(gate(layer)), policy, shared);
    }

    @Override
    public void close() {
        store.close();
    }

    private Matrix load(String name, int rows, int cols) {
        Matrix m = store.matrix(name);
        if (m.rows() != rows || m.cols() != cols) {
            throw new IllegalArgumentException(name + " has shape [" + m.rows() + ", " + m.cols() + "] but "
                    + MoeConfig.CONFIG_FILE + " implies [" + rows + ", " + cols + "] in " + modelDir);
        }
        return m;
    }
}
