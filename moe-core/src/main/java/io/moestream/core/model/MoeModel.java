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
import io.moestream.proto.v1.DType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The MoE tensors of a model directory (Hugging Face layout) with its config. A checkpoint that holds only
 * the MoE tensors is valid; a layer counts as a MoE layer when the config declares it one and its gate tensor is
 * present. Llama-4's multimodal checkpoints put {@value #MULTIMODAL_PREFIX} before every name of its text model.
 * Tensors are read on each call and their shapes checked against the config. Safe for concurrent reads.
 */
public final class MoeModel implements AutoCloseable {
    /** The prefix of the text model's tensors in a multimodal Llama-4 checkpoint. */
    public static final String MULTIMODAL_PREFIX = "language_model.";

    private final Path modelDir;
    private final MoeConfig config;
    private final TensorStore store;
    /** "" or {@link #MULTIMODAL_PREFIX}: what this checkpoint puts before the family's tensor names. */
    private final String prefix;
    private final SortedSet<Integer> moeLayers;

    private MoeModel(Path modelDir, MoeConfig config, TensorStore store, String prefix) {
        this.modelDir = modelDir;
        this.config = config;
        this.store = store;
        this.prefix = prefix;
        SortedSet<Integer> layers = new TreeSet<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            String gate = name(config.family().gateTensor(layer));
            if (!store.contains(gate)) {
                continue;
            }
            if (!config.declaredMoeLayers().contains(layer)) {
                throw new IllegalArgumentException(gate + " is present, but " + MoeConfig.CONFIG_FILE
                        + " declares layer " + layer + " dense (MoE layers " + config.declaredMoeLayers() + ") in " + modelDir);
            }
            layers.add(layer);
        }
        this.moeLayers = Collections.unmodifiableSortedSet(layers);
    }

    public static MoeModel open(Path modelDir) {
        MoeConfig config = MoeConfig.read(modelDir);
        TensorStore store = TensorStore.open(modelDir);
        String prefix = config.family() == ModelFamily.LLAMA4_TEXT && !hasAnyGate(store, config, "")
                && hasAnyGate(store, config, MULTIMODAL_PREFIX) ? MULTIMODAL_PREFIX : "";
        MoeModel model;
        try {
            model = new MoeModel(modelDir, config, store, prefix);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        if (model.moeLayers.isEmpty()) {
            store.close();
            throw new IllegalArgumentException("no MoE gate tensor (" + config.family().gateTensor(0)
                    + " or another layer's) in " + modelDir);
        }
        return model;
    }

    private static boolean hasAnyGate(TensorStore store, MoeConfig config, String prefix) {
        return config.declaredMoeLayers().stream().anyMatch(l -> store.contains(prefix + config.family().gateTensor(l)));
    }

    public MoeConfig config() {
        return config;
    }

    public SortedSet<Integer> moeLayers() {
        return moeLayers;
    }

    /**
     * The dtype the checkpoint stores its weights in, read from the first MoE layer's router weight (a Hugging Face
     * checkpoint stores every weight in its {@code torch_dtype}; MXFP4 experts keep their router in BF16): what
     * {@code --compute-dtype auto} computes in. Weights are widened to FP32 when read, whatever this is.
     */
    public DType weightsDtype() {
        String dtype = store.dtype(name(config.family().gateTensor(moeLayers.first())));
        return switch (dtype) {
            case "BF16" -> DType.BF16;
            case "F16" -> DType.FP16;
            default -> DType.FP32;
        };
    }

    /** The router weight {@code [n_experts, d_model]} of {@code layer}. */
    public Matrix gate(int layer) {
        return load(config.family().gateTensor(layer), config.numExperts(), config.dModel());
    }

    /** GPT-OSS's router bias {@code [n_experts]} of {@code layer}; empty for the other families. */
    public Optional<float[]> routerBias(int layer) {
        ModelFamily family = config.family();
        return family.hasRouterBias()
                ? Optional.of(load(family.routerBiasTensor(layer), 1, config.numExperts()).data())
                : Optional.empty();
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
        if (family.inputMajorExperts()) {
            return InputMajorExperts.expert(this, layer, expert);
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
        return config.family().inputMajorExperts()
                || store.contains(name(config.family().fusedExpertTensor(layer, FusedProjection.GATE_UP)));
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
        checkShape(gateUp, new long[] {experts, 2L * dFf, dModel}, new long[] {experts, dModel, 2L * dFf},
                "the input-major fused layout, which only gpt_oss and llama4_text use");
        checkShape(down, new long[] {experts, dModel, dFf}, new long[] {experts, dFf, dModel},
                "the input-major fused layout, which only gpt_oss and llama4_text use");
        return new ExpertWeights(
                slice(gateUp, expert, 0, dFf),
                slice(down, expert, 0, dModel),
                slice(gateUp, expert, dFf, dFf));
    }

    /**
     * Fails naming the tensor when it is missing or not {@code [expected]}, and names {@code otherLayout} when its
     * shape is {@code other}.
     */
    void checkShape(String familyName, long[] expected, long[] other, String otherLayout) {
        String name = name(familyName);
        if (!store.contains(name)) {
            throw new IllegalArgumentException("missing tensor " + name + " in " + modelDir
                    + " (the layer's experts are in the fused layout)");
        }
        long[] shape = store.shape(name);
        if (Arrays.equals(shape, expected)) {
            return;
        }
        String note = other != null && Arrays.equals(shape, other) ? " (" + otherLayout + ")" : "";
        throw new IllegalArgumentException(name + " has shape " + Arrays.toString(shape) + note + " but "
                + MoeConfig.CONFIG_FILE + " implies " + Arrays.toString(expected) + " in " + modelDir);
    }

    /** Fails naming the tensor when it is missing or not {@code [expected]}. */
    void checkShape(String familyName, long[] expected) {
        checkShape(familyName, expected, null, "");
    }

    /** Whether the checkpoint holds the tensor the family names {@code familyName}. */
    boolean contains(String familyName) {
        return store.contains(name(familyName));
    }

    /** Rows {@code [rowFrom, rowFrom + rowCount)} of matrix {@code index} of a 3-D tensor, reading only those bytes. */
    Matrix slice(String familyName, int index, int rowFrom, int rowCount) {
        return store.slice(name(familyName), index, rowFrom, rowCount);
    }

    /** Row {@code index} of a 2-D tensor, reading only those bytes. */
    Matrix row(String familyName, int index) {
        return store.row(name(familyName), index);
    }

    /** The bytes of {@code [index, ...]} of a U8 tensor, reading only those. */
    ByteBuffer bytes(String familyName, int index) {
        return store.bytes(name(familyName), index);
    }

    /** The shape of a tensor; a missing one is an error naming it. */
    long[] shape(String familyName) {
        return store.shape(name(familyName));
    }

    /** Where the model's files are, for messages. */
    Path dir() {
        return modelDir;
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
        return new LayerRouter(new GateScorer(gate(layer), routerBias(layer).orElse(null)), policy, shared,
                config.family().gateWeighting());
    }

    @Override
    public void close() {
        store.close();
    }

    private String name(String familyName) {
        return prefix + familyName;
    }

    private Matrix load(String familyName, int rows, int cols) {
        String name = name(familyName);
        Matrix m = store.matrix(name);
        if (m.rows() != rows || m.cols() != cols) {
            throw new IllegalArgumentException(name + " has shape [" + m.rows() + ", " + m.cols() + "] but "
                    + MoeConfig.CONFIG_FILE + " implies [" + rows + ", " + cols + "] in " + modelDir);
        }
        return m;
    }
}
