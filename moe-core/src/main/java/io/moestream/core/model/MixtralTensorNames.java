package io.moestream.core.model;

/** Tensor names of the MoE blocks in a Hugging Face Mixtral checkpoint. */
public final class MixtralTensorNames {
    private MixtralTensorNames() {
    }

    /** Router weight {@code [n_experts, d_model]}. */
    public static String gate(int layer) {
        return block(layer) + "gate.weight";
    }

    /** Expert projection {@code w1} / {@code w3} {@code [d_ff, d_model]} or {@code w2} {@code [d_model, d_ff]}. */
    public static String expert(int layer, int expert, String projection) {
        return block(layer) + "experts." + expert + "." + projection + ".weight";
    }

    private static String block(int layer) {
        return "model.layers." + layer + ".block_sparse_moe.";
    }
}
