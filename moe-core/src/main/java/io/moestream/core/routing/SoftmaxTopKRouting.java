package io.moestream.core.routing;

import io.moestream.core.tensor.Matrix;
import java.util.Arrays;

/**
 * Softmax top-k routing, as in Hugging Face's Mixtral, Qwen-MoE and OLMoE blocks: per row, softmax over all
 * experts in float (max subtracted), keep the top-k by probability (ties go to the lower expert id), then, if
 * {@code renormalise} (always for Mixtral, {@code norm_topk_prob} for the others), rescale the k weights to sum
 * to 1. No capacity limit: every row gets exactly k experts.
 */
public final class SoftmaxTopKRouting implements RoutingPolicy {
    private final int topK;
    private final boolean renormalise;

    public SoftmaxTopKRouting(int topK, boolean renormalise) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        }
        this.topK = topK;
        this.renormalise = renormalise;
    }

    /** Mixtral's router: the top-k weights always sum to 1. */
    public static SoftmaxTopKRouting mixtral(int topK) {
        return new SoftmaxTopKRouting(topK, true);
    }

    public int topK() {
        return topK;
    }

    @Override
    public Routing route(Matrix logits) {
        int numExperts = logits.cols();
        if (topK > numExperts) {
            throw new IllegalArgumentException("top-k " + topK + " exceeds the " + numExperts + " experts");
        }
        int rows = logits.rows();
        int[] experts = new int[rows * topK];
        float[] weights = new float[rows * topK];
        float[] probs = new float[numExperts];
        boolean[] taken = new boolean[numExperts];
        for (int r = 0; r < rows; r++) {
            softmax(logits, r, probs);
            Arrays.fill(taken, false);
            // top-k: (k,) expert ids by descending probability; strict '>' keeps the lower id on ties
            float kept = 0f;
            for (int slot = 0; slot < topK; slot++) {
                int best = -1;
                for (int e = 0; e < numExperts; e++) {
                    if (!taken[e] && (best < 0 || probs[e] > probs[best])) {
                        best = e;
                    }
                }
                taken[best] = true;
                experts[r * topK + slot] = best;
                weights[r * topK + slot] = probs[best];
                kept += probs[best];
            }
            if (renormalise) {
                // the k weights sum to 1
                for (int slot = 0; slot < topK; slot++) {
                    weights[r * topK + slot] /= kept;
                }
            }
        }
        return new Routing(rows, topK, experts, weights);
    }

    /** probs: (n_experts,) = softmax(logits[row]) in float, max subtracted for stability. */
    private static void softmax(Matrix logits, int row, float[] probs) {
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < probs.length; e++) {
            float z = logits.get(row, e);
            if (!Float.isFinite(z)) {
                throw new IllegalArgumentException("router logit of row " + row + " expert " + e + " is " + z);
            }
            max = Math.max(max, z);
        }
        float sum = 0f;
        for (int e = 0; e < probs.length; e++) {
            probs[e] = (float) Math.exp(logits.get(row, e) - max);
            sum += probs[e];
        }
        for (int e = 0; e < probs.length; e++) {
            probs[e] /= sum;
        }
    }
}
