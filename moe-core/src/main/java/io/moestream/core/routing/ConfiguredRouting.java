package io.moestream.core.routing;

import io.moestream.core.routing.RoutingOptions.Mode;
import io.moestream.core.routing.RoutingOptions.Overflow;
import io.moestream.core.tensor.Matrix;
import java.util.Arrays;

/**
 * The family's router with the deployment's {@link RoutingOptions}, in this order: the mode chooses each row's
 * experts (family top-k, Switch top-1 or dense), then the confidence threshold skips weak second-and-later
 * experts, then the capacity limit drops or reroutes assignments over an expert's capacity. Expert-choice mode
 * replaces all three. Capacity is granted first-choices-first: every row's best expert in row order, then every
 * row's second, and so on. Deterministic; safe to share between threads.
 */
public final class ConfiguredRouting implements RoutingPolicy {
    private final TopKRouting family;
    private final RoutingOptions options;

    /** What the capacity limit did to a chunk's assignments. */
    private record CapacityOutcome(int dropped, int rerouted) {
        static final CapacityOutcome UNLIMITED = new CapacityOutcome(0, 0);
    }

    public ConfiguredRouting(TopKRouting family, RoutingOptions options) {
        this.family = family;
        this.options = options;
    }

    public RoutingOptions options() {
        return options;
    }

    @Override
    public Routing route(Matrix logits) {
        int numExperts = logits.cols();
        if (options.mode() == Mode.EXPERT_CHOICE) {
            return expertChoice(logits);
        }
        TopKRouting chooser = chooser(numExperts);
        Routing base = chooser.route(logits);
        if (options.confidenceThreshold() == 0 && options.capacityFactor() == 0) {
            return base;
        }
        int rows = base.rows();
        int k = base.k();
        int[] experts = base.experts().clone();
        float[] weights = base.weights().clone();
        // before: each row's weight sum as the mode chose it, for renormalize-kept
        float[] before = new float[rows];
        for (int r = 0; r < rows; r++) {
            for (int slot = 0; slot < k; slot++) {
                before[r] += weights[r * k + slot];
            }
        }
        int skipped = skipUnconfident(rows, k, experts, weights, before);
        CapacityOutcome capacity = options.capacityFactor() > 0
                ? limitCapacity(logits, chooser, k, base.experts(), experts, weights)
                : CapacityOutcome.UNLIMITED;
        if (options.renormalizeKept()) {
            renormalize(rows, k, experts, weights, before);
        }
        return new Routing(rows, k, experts, weights,
                new RoutingStats(rows * k, skipped, capacity.dropped(), capacity.rerouted()));
    }

    /** Each expert's capacity in a chunk of {@code rows} rows with {@code k} slots each; at least 1. */
    public int capacity(int rows, int k, int numExperts) {
        return Math.max(1, (int) Math.ceil(options.capacityFactor() * rows * k / numExperts));
    }

    /** The top-k router of the mode: the family's, top-1 for Switch, all experts by softmax for dense. */
    private TopKRouting chooser(int numExperts) {
        RouterSpec spec = family.spec();
        return switch (options.mode()) {
            case FAMILY -> family;
            case SWITCH -> family.withSpec(new RouterSpec(spec.scoring(), 1, false, spec.scalingFactor(), spec.groups(),
                    spec.topGroups(), spec.groupScore(), spec.correctionBias()));
            case DENSE -> new TopKRouting(RouterSpec.softmaxTopK(numExperts, false), null);
            case EXPERT_CHOICE -> throw new IllegalStateException("expert-choice routing has no top-k chooser");
        };
    }

    /** Empties slot 1.. of a row whose share of the row's weight sum is below the threshold; returns the count. */
    private int skipUnconfident(int rows, int k, int[] experts, float[] weights, float[] before) {
        double threshold = options.confidenceThreshold();
        int skipped = 0;
        if (threshold == 0) {
            return 0;
        }
        for (int r = 0; r < rows; r++) {
            for (int slot = 1; slot < k; slot++) {
                int i = r * k + slot;
                if (weights[i] / before[r] < threshold) {
                    experts[i] = Routing.EMPTY;
                    weights[i] = 0f;
                    skipped++;
                }
            }
        }
        return skipped;
    }

    /** Applies the capacity limit first-choices-first. */
    private CapacityOutcome limitCapacity(Matrix logits, TopKRouting chooser, int k, int[] original, int[] experts,
                                float[] weights) {
        int numExperts = logits.cols();
        int rows = logits.rows();
        int capacity = capacity(rows, k, numExperts);
        int[] load = new int[numExperts];
        int dropped = 0;
        int rerouted = 0;
        float[] scores = new float[numExperts];
        float[] choice = new float[numExperts];
        boolean[] taken = new boolean[numExperts];
        for (int slot = 0; slot < k; slot++) {
            for (int r = 0; r < rows; r++) {
                int i = r * k + slot;
                int e = experts[i];
                if (e == Routing.EMPTY) {
                    continue;
                }
                if (load[e] < capacity) {
                    load[e]++;
                    continue;
                }
                int target = options.overflow() == Overflow.REROUTE
                        ? nextBestWithRoom(logits, chooser, r, k, experts, load, capacity, scores, choice, taken)
                        : Routing.EMPTY;
                if (target == Routing.EMPTY) {
                    experts[i] = Routing.EMPTY;
                    weights[i] = 0f;
                    dropped++;
                } else {
                    // the new expert's score, weighted as the row's chosen experts were
                    weights[i] = scores[target] * chooser.weightFactor(chosenScoreSum(r, k, original, scores));
                    experts[i] = target;
                    load[target]++;
                    rerouted++;
                }
            }
        }
        return new CapacityOutcome(dropped, rerouted);
    }

    /**
     * The row's best expert by choice score that is not among its experts and has room, or {@link Routing#EMPTY}.
     * Fills {@code scores} and {@code choice} with the row's scores.
     */
    private static int nextBestWithRoom(Matrix logits, TopKRouting chooser, int row, int k, int[] experts, int[] load,
                                        int capacity, float[] scores, float[] choice, boolean[] taken) {
        chooser.rowScores(logits, row, scores, choice);
        for (int e = 0; e < taken.length; e++) {
            taken[e] = load[e] >= capacity;
        }
        for (int slot = 0; slot < k; slot++) {
            int e = experts[row * k + slot];
            if (e != Routing.EMPTY) {
                taken[e] = true;
            }
        }
        int best = TopKRouting.argmaxNotTaken(choice, taken);
        return best < 0 || taken[best] ? Routing.EMPTY : best;
    }

    /** The sum of the row's scores over the experts the mode first chose (what a renormalizing family divides by). */
    private static float chosenScoreSum(int row, int k, int[] original, float[] scores) {
        float kept = 0f;
        for (int slot = 0; slot < k; slot++) {
            kept += scores[original[row * k + slot]];
        }
        return kept;
    }

    private static void renormalize(int rows, int k, int[] experts, float[] weights, float[] before) {
        for (int r = 0; r < rows; r++) {
            float now = 0f;
            for (int slot = 0; slot < k; slot++) {
                now += weights[r * k + slot];
            }
            if (now > 0f && now != before[r]) {
                for (int slot = 0; slot < k; slot++) {
                    weights[r * k + slot] *= before[r] / now;
                }
            }
        }
    }

    /**
     * Expert-choice routing (Zhou et al., 2022): scores are the softmax of the logits over the experts; each expert
     * takes the {@code C} rows with its highest scores (ties: lower row), weight the score. A row may get several
     * experts or none (its output is then 0). Slots of a row are in expert order.
     */
    private Routing expertChoice(Matrix logits) {
        int rows = logits.rows();
        int numExperts = logits.cols();
        double factor = options.capacityFactor() > 0 ? options.capacityFactor() : family.spec().topK();
        int capacity = Math.min(rows, Math.max(1, (int) Math.ceil(factor * rows / numExperts)));
        // probs: (rows, n_experts)
        TopKRouting softmax = new TopKRouting(RouterSpec.softmaxTopK(1, false), null);
        float[] probs = new float[rows * numExperts];
        float[] row = new float[numExperts];
        float[] unused = new float[numExperts];
        for (int r = 0; r < rows; r++) {
            softmax.rowScores(logits, r, row, unused);
            System.arraycopy(row, 0, probs, r * numExperts, numExperts);
        }
        int[] experts = new int[rows * numExperts];
        float[] weights = new float[rows * numExperts];
        Arrays.fill(experts, Routing.EMPTY);
        float[] column = new float[rows];
        boolean[] taken = new boolean[rows];
        for (int e = 0; e < numExperts; e++) {
            for (int r = 0; r < rows; r++) {
                column[r] = probs[r * numExperts + e];
            }
            Arrays.fill(taken, false);
            for (int c = 0; c < capacity; c++) {
                int r = TopKRouting.argmaxNotTaken(column, taken);
                taken[r] = true;
                experts[r * numExperts + e] = e;
                weights[r * numExperts + e] = column[r];
            }
        }
        return new Routing(rows, numExperts, experts, weights, RoutingStats.none(capacity * numExperts));
    }
}
