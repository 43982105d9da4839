package io.moestream.core.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The model families served so far, keyed by {@code model_type} in {@code config.json}: where each keeps its
 * MoE shape in the config, how its MoE tensors are named (Hugging Face per-expert layout), and whether the
 * router renormalises the top-k weights. All three have SwiGLU experts {@code down(silu(gate(x)) * up(x))}.
 */
public enum ModelFamily {
    /** {@code MixtralSparseMoeBlock}: experts {@code w1} (gate), {@code w3} (up), {@code w2} (down); always renormalised. */
    MIXTRAL("mixtral", "MixtralForCausalLM", "num_local_experts", "intermediate_size", "block_sparse_moe", true) {
        @Override
        String projectionName(SwiGluProjection projection) {
            return switch (projection) {
                case GATE -> "w1";
                case UP -> "w3";
                case DOWN -> "w2";
            };
        }
    },
    /** {@code Qwen3MoeSparseMoeBlock}: softmax, top-k, renormalised only when {@code norm_topk_prob}. */
    QWEN3_MOE("qwen3_moe", "Qwen3MoeForCausalLM", "num_experts", "moe_intermediate_size", "mlp", false),
    /** {@code OlmoeSparseMoeBlock}: the same router as Qwen3-MoE, expert size in {@code intermediate_size}. */
    OLMOE("olmoe", "OlmoeForCausalLM", "num_experts", "intermediate_size", "mlp", false);

    /** The three projections of a SwiGLU expert, named after the Hugging Face Llama-style MLP. */
    public enum SwiGluProjection { GATE, UP, DOWN }

    private final String modelType;
    private final String architecture;
    private final String expertsKey;
    private final String expertSizeKey;
    private final String block;
    private final boolean alwaysRenormalises;

    ModelFamily(String modelType, String architecture, String expertsKey, String expertSizeKey, String block,
                boolean alwaysRenormalises) {
        this.modelType = modelType;
        this.architecture = architecture;
        this.expertsKey = expertsKey;
        this.expertSizeKey = expertSizeKey;
        this.block = block;
        this.alwaysRenormalises = alwaysRenormalises;
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

    /** The config.json key holding the hidden size of one expert. */
    public String expertSizeKey() {
        return expertSizeKey;
    }

    /** Whether the top-k weights are renormalised whatever {@code norm_topk_prob} says (Mixtral has no such key). */
    public boolean alwaysRenormalises() {
        return alwaysRenormalises;
    }

    /** Router weight {@code [n_experts, d_model]} of {@code layer}. */
    public String gateTensor(int layer) {
        return prefix(layer) + "gate.weight";
    }

    /** One projection of one expert: gate and up {@code [d_ff, d_model]}, down {@code [d_model, d_ff]}. */
    public String expertTensor(int layer, int expert, SwiGluProjection projection) {
        return prefix(layer) + "experts." + expert + "." + projectionName(projection) + ".weight";
    }

    String projectionName(SwiGluProjection projection) {
        return switch (projection) {
            case GATE -> "gate_proj";
            case UP -> "up_proj";
            case DOWN -> "down_proj";
        };
    }

    private String prefix(int layer) {
        return "model.layers." + layer + "." + block + ".";
    }
}
