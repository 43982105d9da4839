package io.moestream.core.model;

/** Shape and seed of a generated random MoE model; every layer {@code 0..layers-1} is a MoE layer. */
public record ModelSpec(int layers, int experts, int topK, int dModel, int dFf, long seed) {

    /** The config this spec describes; fails with a message naming the bad value. */
    public MoeConfig config() {
        return new MoeConfig(MoeConfig.MIXTRAL, dModel, dFf, experts, topK, layers);
    }
}
