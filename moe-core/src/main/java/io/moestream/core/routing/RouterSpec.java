package io.moestream.core.routing;

/**
 * How a family's router turns logits into k experts and their weights (Hugging Face definitions):
 * <ul>
 *   <li>{@code scoring}: softmax over all experts (Mixtral, Qwen, OLMoE, DeepSeek-V2), an independent sigmoid
 *       per expert (DeepSeek-V3), or, choosing by the logits themselves, the softmax over the k chosen logits only
 *       (GPT-OSS) or the sigmoid of each chosen logit (Llama-4);</li>
 *   <li>{@code correctionBias}: a per-expert bias added to the scores for choosing only, never to the weights
 *       (DeepSeek-V3's {@code e_score_correction_bias});</li>
 *   <li>{@code groups} / {@code topGroups} / {@code groupScore}: group-limited choice, where experts are split into
 *       {@code groups} equal groups, only the {@code topGroups} best groups are eligible, and a group's score is its
 *       best expert's (DeepSeek-V2) or the sum of its best two (DeepSeek-V3); {@code groups == 1} turns it off;</li>
 *   <li>{@code renormalize}: rescale the k weights to sum to 1; then every weight is multiplied by
 *       {@code scalingFactor} (DeepSeek's {@code routed_scaling_factor}).</li>
 * </ul>
 */
public record RouterSpec(Scoring scoring, int topK, boolean renormalize, float scalingFactor, int groups,
                         int topGroups, GroupScore groupScore, boolean correctionBias) {

    public enum Scoring {
        /** Softmax over all experts; experts are chosen by probability. */
        SOFTMAX,
        /** An independent sigmoid per expert; experts are chosen by score (plus the correction bias). */
        SIGMOID,
        /**
         * GPT-OSS: top-k by logit, weights the softmax over the k chosen logits ({@code renormalize} must be set: a
         * chosen expert's score is {@code exp(logit - max logit)}, divided by the chosen scores' sum).
         */
        SOFTMAX_OF_TOP_K,
        /** Llama-4: top-k by logit, weights {@code sigmoid(logit)} of each chosen expert, the others 0. */
        SIGMOID_OF_TOP_K;

        /** Whether experts are chosen by their raw logits rather than by their scores. */
        public boolean choosesByLogit() {
            return this == SOFTMAX_OF_TOP_K || this == SIGMOID_OF_TOP_K;
        }
    }

    public enum GroupScore {
        /** The group's best expert score (DeepSeek-V2 {@code group_limited_greedy}). */
        MAX,
        /** The sum of the group's two best expert scores (DeepSeek-V3 {@code noaux_tc}). */
        TOP2_SUM
    }

    public RouterSpec {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        }
        if (groups < 1 || topGroups < 1 || topGroups > groups) {
            throw new IllegalArgumentException("expert groups: top " + topGroups + " of " + groups + " is not possible");
        }
        if (!(scalingFactor > 0) || !Float.isFinite(scalingFactor)) {
            throw new IllegalArgumentException("routed scaling factor must be positive, got " + scalingFactor);
        }
        if (scoring.choosesByLogit() && (groups > 1 || correctionBias)) {
            throw new IllegalArgumentException(scoring + " routing chooses by logit: no expert groups or correction bias");
        }
        if (scoring == Scoring.SOFTMAX_OF_TOP_K && !renormalize && topK > 1) {
            throw new IllegalArgumentException("the softmax over the top-" + topK + " logits needs renormalize");
        }
    }

    /** GPT-OSS's router: top-k logits, softmax over those k. */
    public static RouterSpec softmaxOfTopK(int topK) {
        return new RouterSpec(Scoring.SOFTMAX_OF_TOP_K, topK, true, 1f, 1, 1, GroupScore.MAX, false);
    }

    /** Llama-4's router: top-k logits, sigmoid of each, not renormalized. */
    public static RouterSpec sigmoidOfTopK(int topK) {
        return new RouterSpec(Scoring.SIGMOID_OF_TOP_K, topK, false, 1f, 1, 1, GroupScore.MAX, false);
    }

    /** Softmax over all experts, top-k, optionally renormalized: Mixtral (always), Qwen-MoE and OLMoE. */
    public static RouterSpec softmaxTopK(int topK, boolean renormalize) {
        return new RouterSpec(Scoring.SOFTMAX, topK, renormalize, 1f, 1, 1, GroupScore.MAX, false);
    }

    /** Checks that the spec fits a layer of {@code experts} experts. */
    public void checkFits(int experts) {
        if (topK > experts) {
            throw new IllegalArgumentException("top-k " + topK + " exceeds the " + experts + " experts");
        }
        if (experts % groups != 0) {
            throw new IllegalArgumentException(experts + " experts do not split into " + groups + " equal groups");
        }
        if (topK > topGroups * (experts / groups)) {
            throw new IllegalArgumentException("top-" + topK + " cannot be chosen from " + topGroups + " groups of "
                    + experts / groups + " experts");
        }
    }
}
