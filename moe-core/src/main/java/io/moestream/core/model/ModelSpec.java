package io.moestream.core.model;

import io.moestream.core.routing.RouterSpec;
import io.moestream.core.routing.RouterSpec.GroupScore;
import io.moestream.core.routing.RouterSpec.Scoring;

/**
 * Shape and seed of a generated random MoE model of one family; every layer {@code 0..layers-1} is a MoE layer.
 * {@code normTopkProb} is written to the config of the families that read it. The family's other router settings
 * are fixed here so that its distinctive paths run: DeepSeek models split their experts into two groups (choosing
 * from the best one when top-k fits in it), with a routed scaling factor of 2.5 (V3) or 1.5 (V2, group-limited);
 * shared experts are twice the routed experts' size (Qwen2-MoE, and DeepSeek-V2's two shared experts) or equal
 * to it (DeepSeek-V3's one, Llama-4's). GPT-OSS and Llama-4 keep their experts fused and input-major, the only layout
 * their checkpoints have.
 */
public record ModelSpec(ModelFamily family, int layers, int experts, int topK, int dModel, int dFf, boolean normTopkProb,
                        long seed) {

    /** A Mixtral model. */
    public ModelSpec(int layers, int experts, int topK, int dModel, int dFf, long seed) {
        this(ModelFamily.MIXTRAL, layers, experts, topK, dModel, dFf, true, seed);
    }

    /** The config this spec describes; fails with a message naming the bad value. */
    public MoeConfig config() {
        return new MoeConfig(family, dModel, dFf, experts, layers, router(), sharedExpertDFf());
    }

    private RouterSpec router() {
        int groups = experts % 2 == 0 ? 2 : 1;
        int topGroups = topK <= experts / groups ? 1 : groups;
        return switch (family) {
            case MIXTRAL -> RouterSpec.softmaxTopK(topK, true);
            case QWEN2_MOE, QWEN3_MOE, OLMOE -> RouterSpec.softmaxTopK(topK, normTopkProb);
            case DEEPSEEK_V2 -> new RouterSpec(Scoring.SOFTMAX, topK, false, 1.5f, groups, topGroups, GroupScore.MAX, false);
            case DEEPSEEK_V3 -> new RouterSpec(Scoring.SIGMOID, topK, normTopkProb, 2.5f, groups, topGroups,
                    GroupScore.TOP2_SUM, true);
            case GPT_OSS -> RouterSpec.softmaxOfTopK(topK);
            case LLAMA4_TEXT -> RouterSpec.sigmoidOfTopK(topK);
        };
    }

    private int sharedExpertDFf() {
        return switch (family) {
            case QWEN2_MOE, DEEPSEEK_V2 -> 2 * dFf;
            case DEEPSEEK_V3, LLAMA4_TEXT -> dFf;
            default -> 0;
        };
    }
}
