package io.moestream.core.routing;

import io.moestream.core.tensor.Matrix;
import java.util.Arrays;

/**
 * Top-k routing as the Hugging Face MoE blocks compute it, parameterised by a {@link RouterSpec}. Per row, in the
 * order of the math: scores (softmax in float with the max subtracted, sigmoid, or for the families that choose by
 * logit, {@code exp(logit - max)} or sigmoid); choice scores = scores plus the correction bias, or the logits
 * themselves (GPT-OSS, Llama-4); with groups, only the best groups' experts stay eligible (the others' choice scores
 * become 0, as Hugging Face masks them); top-k by choice score, ties to the lower expert id; weights are the chosen experts'
 * scores, renormalized if the spec says so, times the scaling factor. No capacity limit: every row gets k experts.
 */
public final class TopKRouting implements RoutingPolicy {
    private final RouterSpec spec;
    private final float[] correctionBias;

    /** {@code correctionBias}: one per expert when {@code spec.correctionBias()}, else null. */
    public TopKRouting(RouterSpec spec, float[] correctionBias) {
        if (spec.correctionBias() != (correctionBias != null)) {
            throw new IllegalArgumentException(spec.correctionBias() ? "the router needs its correction bias"
                    : "a correction bias was given to a router that uses none");
        }
        this.spec = spec;
        this.correctionBias = correctionBias;
    }

    /** Mixtral's router: softmax, top-k, the k weights always sum to 1. */
    public static TopKRouting mixtral(int topK) {
        return new TopKRouting(RouterSpec.softmaxTopK(topK, true), null);
    }

    /** The same correction bias under another spec (the routing options' Switch mode). */
    TopKRouting withSpec(RouterSpec other) {
        return new TopKRouting(other, correctionBias);
    }

    public RouterSpec spec() {
        return spec;
    }

    @Override
    public Routing route(Matrix logits) {
        int numExperts = logits.cols();
        checkExperts(numExperts);
        int rows = logits.rows();
        int topK = spec.topK();
        int[] experts = new int[rows * topK];
        float[] weights = new float[rows * topK];
        float[] scores = new float[numExperts];
        float[] choice = new float[numExperts];
        boolean[] taken = new boolean[numExperts];
        for (int r = 0; r < rows; r++) {
            rowScores(logits, r, scores, choice);
            // top-k by choice score; strict '>' keeps the lower id on ties
            Arrays.fill(taken, false);
            float kept = 0f;
            for (int slot = 0; slot < topK; slot++) {
                int best = argmaxNotTaken(choice, taken);
                taken[best] = true;
                experts[r * topK + slot] = best;
                weights[r * topK + slot] = scores[best];
                kept += scores[best];
            }
            for (int slot = 0; slot < topK; slot++) {
                float w = spec.renormalize() ? weights[r * topK + slot] / kept : weights[r * topK + slot];
                weights[r * topK + slot] = w * spec.scalingFactor();
            }
        }
        return new Routing(rows, topK, experts, weights);
    }

    /**
     * Row {@code row}'s scores (softmax or sigmoid, what the weights are made of) and choice scores (what experts
     * are chosen by: scores plus the correction bias, zero outside the best groups), each {@code (n_experts,)}.
     */
    void rowScores(Matrix logits, int row, float[] scores, float[] choice) {
        score(logits, row, scores);
        for (int e = 0; e < scores.length; e++) {
            if (spec.scoring().choosesByLogit()) {
                choice[e] = logits.get(row, e);
            } else {
                choice[e] = correctionBias == null ? scores[e] : scores[e] + correctionBias[e];
            }
        }
        if (spec.groups() > 1) {
            maskAllButBestGroups(choice);
        }
    }

    /** What each chosen expert's score is multiplied by to give its weight, for a row whose k chosen scores sum to {@code kept}. */
    float weightFactor(float kept) {
        return spec.renormalize() ? spec.scalingFactor() / kept : spec.scalingFactor();
    }

    /** Checks the logits' expert count against the spec and the bias. */
    void checkExperts(int numExperts) {
        spec.checkFits(numExperts);
        if (correctionBias != null && correctionBias.length != numExperts) {
            throw new IllegalArgumentException(correctionBias.length + " correction biases for " + numExperts + " experts");
        }
    }

    private void score(Matrix logits, int row, float[] scores) {
        for (int e = 0; e < scores.length; e++) {
            float z = logits.get(row, e);
            if (!Float.isFinite(z)) {
                throw new IllegalArgumentException("router logit of row " + row + " expert " + e + " is " + z);
            }
            scores[e] = z;
        }
        RouterSpec.Scoring scoring = spec.scoring();
        if (scoring == RouterSpec.Scoring.SIGMOID || scoring == RouterSpec.Scoring.SIGMOID_OF_TOP_K) {
            for (int e = 0; e < scores.length; e++) {
                scores[e] = (float) (1.0 / (1.0 + Math.exp(-scores[e])));
            }
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float z : scores) {
            max = Math.max(max, z);
        }
        float sum = 0f;
        for (int e = 0; e < scores.length; e++) {
            scores[e] = (float) Math.exp(scores[e] - max);
            sum += scores[e];
        }
        // SOFTMAX_OF_TOP_K: the max is the best chosen logit, so the renormalized chosen scores are the softmax over them
        if (scoring == RouterSpec.Scoring.SOFTMAX_OF_TOP_K) {
            return;
        }
        for (int e = 0; e < scores.length; e++) {
            scores[e] /= sum;
        }
    }

    /** Keeps the choice scores of the {@code topGroups} best groups; the others become 0. */
    private void maskAllButBestGroups(float[] choice) {
        int groups = spec.groups();
        int size = choice.length / groups;
        float[] groupScores = new float[groups];
        for (int g = 0; g < groups; g++) {
            groupScores[g] = groupScore(choice, g * size, size);
        }
        boolean[] keep = new boolean[groups];
        for (int i = 0; i < spec.topGroups(); i++) {
            keep[argmaxNotTaken(groupScores, keep)] = true;
        }
        for (int g = 0; g < groups; g++) {
            if (!keep[g]) {
                Arrays.fill(choice, g * size, (g + 1) * size, 0f);
            }
        }
    }

    private float groupScore(float[] choice, int from, int size) {
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        for (int e = from; e < from + size; e++) {
            if (choice[e] > first) {
                second = first;
                first = choice[e];
            } else if (choice[e] > second) {
                second = choice[e];
            }
        }
        return spec.groupScore() == RouterSpec.GroupScore.MAX || size < 2 ? first : first + second;
    }

    static int argmaxNotTaken(float[] values, boolean[] taken) {
        int best = -1;
        for (int i = 0; i < values.length; i++) {
            if (!taken[i] && (best < 0 || values[i] > values[best])) {
                best = i;
            }
        }
        return best;
    }
}
