package io.moestream.core.model;

import io.moestream.core.routing.GateWeighting;
import java.util.Arrays;
import java.util.Optional;

/**
 * The model families served, keyed by {@code model_type} in {@code config.json}: where each keeps its MoE shape in
 * the config and how its MoE tensors are named (Hugging Face per-expert layout, and the fused layouts). All have
 * gated experts {@code down(act(gate(x), up(x)))}, SiLU-GLU but for GPT-OSS; {@link MoeConfig} reads each family's
 * router settings.
 */
public enum ModelFamily {
    /** {@code MixtralSparseMoeBlock}: experts {@code w1} (gate), {@code w3} (up), {@code w2} (down). */
    MIXTRAL("mixtral", "MixtralForCausalLM", "num_local_experts", "intermediate_size", "block_sparse_moe", null),
    /** {@code Qwen2MoeSparseMoeBlock}: plus one shared expert scaled by {@code sigmoid(shared_expert_gate · x)}. */
    QWEN2_MOE("qwen2_moe", "Qwen2MoeForCausalLM", "num_experts", "moe_intermediate_size", "mlp", "shared_expert"),
    /** {@code Qwen3MoeSparseMoeBlock}: the Qwen2-MoE router, no shared expert. */
    QWEN3_MOE("qwen3_moe", "Qwen3MoeForCausalLM", "num_experts", "moe_intermediate_size", "mlp", null),
    /** {@code OlmoeSparseMoeBlock}: the same router, expert size in {@code intermediate_size}. */
    OLMOE("olmoe", "OlmoeForCausalLM", "num_experts", "intermediate_size", "mlp", null),
    /** {@code DeepseekV2Moe}: softmax, greedy or group-limited top-k, scaled; shared experts added unweighted. */
    DEEPSEEK_V2("deepseek_v2", "DeepseekV2ForCausalLM", "n_routed_experts", "moe_intermediate_size", "mlp",
            "shared_experts"),
    /** {@code DeepseekV3MoE}: sigmoid, biased group-limited choice, unbiased weights, scaled; shared experts. */
    DEEPSEEK_V3("deepseek_v3", "DeepseekV3ForCausalLM", "n_routed_experts", "moe_intermediate_size", "mlp",
            "shared_experts"),
    /**
     * {@code GptOssMLP}: router with a bias, softmax over the top-k logits; experts input-major and fused only,
     * gate and up interleaved, with biases and the clamped SwiGLU; MXFP4 in the released checkpoints.
     */
    GPT_OSS("gpt_oss", "GptOssForCausalLM", "num_local_experts", "intermediate_size", "mlp", null),
    /**
     * {@code Llama4TextMoe}: sigmoid of the top-k logits scaling the experts' inputs; experts input-major and fused
     * only, gate half then up half; plus a shared expert, unweighted.
     */
    LLAMA4_TEXT("llama4_text", "Llama4ForCausalLM", "num_local_experts", "intermediate_size", "feed_forward",
            "shared_expert");

    /** The three projections of a SwiGLU expert, named after the Hugging Face Llama-style MLP. */
    public enum SwiGluProjection { GATE, UP, DOWN }

    private final String modelType;
    private final String architecture;
    private final String expertsKey;
    private final String expertSizeKey;
    private final String block;
    private final String sharedExpertBlock;

    ModelFamily(String modelType, String architecture, String expertsKey, String expertSizeKey, String block,
                String sharedExpertBlock) {
        this.modelType = modelType;
        this.architecture = architecture;
        this.expertsKey = expertsKey;
        this.expertSizeKey = expertSizeKey;
        this.block = block;
        this.sharedExpertBlock = sharedExpertBlock;
    }

    public static Optional<ModelFamily> of(String modelType) {
        return Arrays.stream(values()).filter(f -> f.modelType.equals(modelType)).findFirst();
    }

    public String modelType() {
        return modelType;
    }

    /** The {@code architectures} entry of a config.json of this family. */
    public String architecture() {
        return architecture;
    }

    /** The config.json key holding the number of routed experts. */
    public String expertsKey() {
        return expertsKey;
    }

    /** The config.json key holding the hidden size of one routed expert. */
    public String expertSizeKey() {
        return expertSizeKey;
    }

    /** Whether the family's MoE block has a shared expert that every token goes through. */
    public boolean hasSharedExpert() {
        return sharedExpertBlock != null;
    }

    /** Whether the shared expert's output is scaled by {@code sigmoid(shared_expert_gate · x)} (Qwen2-MoE). */
    public boolean sharedExpertGated() {
        return this == QWEN2_MOE;
    }

    /** Whether the router adds DeepSeek-V3's {@code e_score_correction_bias} to the scores it chooses by. */
    public boolean hasCorrectionBias() {
        return this == DEEPSEEK_V3;
    }

    /** Whether the router has a bias added to its logits (GPT-OSS). */
    public boolean hasRouterBias() {
        return this == GPT_OSS;
    }

    /** Whether the routed experts' projections have biases (GPT-OSS). */
    public boolean hasExpertBiases() {
        return this == GPT_OSS;
    }

    /**
     * Whether the routed experts come only fused and input-major, {@code gate_up_proj [E, d_model, 2·d_ff]} and
     * {@code down_proj [E, d_ff, d_model]} (GPT-OSS, Llama-4), rather than per expert or output-major.
     */
    public boolean inputMajorExperts() {
        return this == GPT_OSS || this == LLAMA4_TEXT;
    }

    /** Whether gate and up alternate along {@code gate_up_proj}'s last axis (GPT-OSS) rather than being its halves. */
    public boolean interleavedGateUp() {
        return this == GPT_OSS;
    }

    /** Where the family's gate weights apply: to the experts' inputs for Llama-4, to their outputs for the others. */
    public GateWeighting gateWeighting() {
        return this == LLAMA4_TEXT ? GateWeighting.INPUT : GateWeighting.OUTPUT;
    }

    /** Router weight {@code [n_experts, d_model]} of {@code layer}. */
    public String gateTensor(int layer) {
        return prefix(layer) + (hasRouterName() ? "router.weight" : "gate.weight");
    }

    /** GPT-OSS's router bias {@code [n_experts]}. */
    public String routerBiasTensor(int layer) {
        return prefix(layer) + "router.bias";
    }

    /** DeepSeek-V3's selection bias {@code [n_experts]}. */
    public String correctionBiasTensor(int layer) {
        return prefix(layer) + "gate.e_score_correction_bias";
    }

    /** Qwen2-MoE's shared-expert gate {@code [1, d_model]}. */
    public String sharedExpertGateTensor(int layer) {
        return prefix(layer) + "shared_expert_gate.weight";
    }

    /** One projection of one routed expert: gate and up {@code [d_ff, d_model]}, down {@code [d_model, d_ff]}. */
    public String expertTensor(int layer, int expert, SwiGluProjection projection) {
        if (inputMajorExperts()) {
            throw new IllegalStateException(modelType + " keeps its routed experts in the fused layout only");
        }
        return prefix(layer) + "experts." + expert + "." + projectionName(projection) + ".weight";
    }

    /**
     * The fused tensor of all routed experts of {@code layer} (newer Hugging Face checkpoints): {@code gate_up_proj}
     * {@code [n_experts, 2 · d_ff, d_model]}, gate rows first, then up rows; {@code down_proj}
     * {@code [n_experts, d_model, d_ff]}; for the {@link #inputMajorExperts()} families {@code [n_experts, d_model,
     * 2 · d_ff]} and {@code [n_experts, d_ff, d_model]}. Named {@code <block>.experts.gate_up_proj} / {@code .down_proj}, no
     * {@code .weight} suffix (they are parameters of the experts module, not of a linear layer).
     */
    public String fusedExpertTensor(int layer, FusedProjection projection) {
        return prefix(layer) + "experts." + (projection == FusedProjection.GATE_UP ? "gate_up_proj" : "down_proj");
    }

    /** The two tensors of the fused expert layout. */
    public enum FusedProjection { GATE_UP, DOWN }

    /** GPT-OSS's expert biases: {@code gate_up_proj_bias [E, 2·d_ff]} (interleaved as the weights), {@code down_proj_bias [E, d_model]}. */
    public String fusedExpertBiasTensor(int layer, FusedProjection projection) {
        return fusedExpertTensor(layer, projection) + "_bias";
    }

    /**
     * The MXFP4 form of a fused expert tensor (GPT-OSS releases): {@code <name>_blocks [E, out, in/32, 16]} U8, two
     * FP4 values a byte, and {@code <name>_scales [E, out, in/32]} U8, one power-of-two exponent per 32 values.
     */
    public String mxfp4Tensor(int layer, FusedProjection projection, Mxfp4Part part) {
        return fusedExpertTensor(layer, projection) + (part == Mxfp4Part.BLOCKS ? "_blocks" : "_scales");
    }

    /** The two tensors of an MXFP4 weight. */
    public enum Mxfp4Part { BLOCKS, SCALES }

    /** One projection of the shared expert (DeepSeek's {@code n_shared_experts} are stored as one wider MLP). */
    public String sharedExpertTensor(int layer, SwiGluProjection projection) {
        if (sharedExpertBlock == null) {
            throw new IllegalStateException(modelType + " has no shared expert");
        }
        return prefix(layer) + sharedExpertBlock + "." + projectionName(projection) + ".weight";
    }

    private String projectionName(SwiGluProjection projection) {
        if (this == MIXTRAL) {
            return switch (projection) {
                case GATE -> "w1";
                case UP -> "w3";
                case DOWN -> "w2";
            };
        }
        return switch (projection) {
            case GATE -> "gate_proj";
            case UP -> "up_proj";
            case DOWN -> "down_proj";
        };
    }

    private boolean hasRouterName() {
        return this == GPT_OSS || this == LLAMA4_TEXT;
    }

    private String prefix(int layer) {
        return "model.layers." + layer + "." + block + ".";
    }
}
