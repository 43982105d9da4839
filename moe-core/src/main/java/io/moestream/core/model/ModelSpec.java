package io.moestream.core.model;

/**
 * Shape and seed of a generated random MoE model of one family; every layer {@code 0..layers-1} is a MoE layer.
 * {@code normTopkProb} is written to the config of the families that read it.
 */
public record ModelSpec(ModelFamily family, int layers, int experts, int topK, int dModel, int dFf, boolean normTopkProb,
                        long seed) {

    /** A Mixtral model. */
    public ModelSpec(int layers, int experts, int topK, int dModel, int dFf, long seed) {
        this(ModelFamily.MIXTRAL, layers, experts, topK, dModel, dFf, true, seed);
    }

    /** The config this spec describes; fails with a message naming the bad value. */
    public MoeConfig config() {
        return new MoeConfig(family, dModel, dFf, experts, topK, layers, normTopkProb);
    }
}
