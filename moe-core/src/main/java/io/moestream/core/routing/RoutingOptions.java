package io.moestream.core.routing;

/**
 * Routing options a deployment sets on top of the family's router (all off by default, see {@link #NONE}):
 * <ul>
 *   <li>{@code mode}: the family's top-k ({@link Mode#FAMILY}), Switch-style top-1, dense MoE, or expert-choice
 *       routing within a chunk;</li>
 *   <li>{@code capacityFactor}: 0 for no capacity limit; in the top-k modes each expert takes at most
 *       {@code ceil(capacityFactor · rows · k / n_experts)} assignments of a chunk, the rest go by {@code overflow};
 *       in expert-choice mode each expert takes {@code ceil(capacityFactor · rows / n_experts)} rows (0: the
 *       family's top-k, so that a token gets k experts on average);</li>
 *   <li>{@code overflow}: what happens to an assignment over capacity: {@link Overflow#DROP} or
 *       {@link Overflow#REROUTE};</li>
 *   <li>{@code renormalizeKept}: after assignments of a row are dropped or skipped, rescale the row's remaining
 *       weights to the sum its weights had before (off: the remaining weights stay as they were);</li>
 *   <li>{@code confidenceThreshold}: 0 for off; a row's second and later expert is skipped when its share of the
 *       row's weight sum is below the threshold (the top-k reduction of SEER-MoE). The best expert is never
 *       skipped.</li>
 * </ul>
 * Spelling: "-ize" ({@code renormalize}) in code and configuration alike, as the public router key
 * {@code moe.routing.renormalize-kept} and the CLI flag {@code --renormalize-kept} already spell it.
 */
public record RoutingOptions(Mode mode, double capacityFactor, Overflow overflow, boolean renormalizeKept,
                             double confidenceThreshold) {

    /** The family's routing, unchanged. */
    public static final RoutingOptions NONE = new RoutingOptions(Mode.FAMILY, 0, Overflow.DROP, false, 0);

    public enum Mode {
        /** The family's router (Mixtral, Qwen, OLMoE, DeepSeek top-k). */
        FAMILY,
        /** Switch Transformer: the best expert by the family's choice scores, weight its score (not renormalized). */
        SWITCH,
        /** Every expert for every row, weights the softmax of the logits over all experts. */
        DENSE,
        /** Each expert takes its best-scoring rows of the chunk (softmax over experts), weight the score. */
        EXPERT_CHOICE
    }

    public enum Overflow {
        /** The assignment is dropped; the row keeps its other experts. */
        DROP,
        /** The assignment moves to the row's next-best expert (by choice score) that has room, else is dropped. */
        REROUTE
    }

    public RoutingOptions {
        if (mode == null || overflow == null) {
            throw new IllegalArgumentException("routing mode and overflow policy must be given");
        }
        if (!(capacityFactor >= 0) || !Double.isFinite(capacityFactor)) {
            throw new IllegalArgumentException("capacity factor must be positive (or 0 for none), got " + capacityFactor);
        }
        if (!(confidenceThreshold >= 0 && confidenceThreshold < 1)) {
            throw new IllegalArgumentException("confidence threshold must be in [0, 1), got " + confidenceThreshold);
        }
        if (mode == Mode.EXPERT_CHOICE && confidenceThreshold > 0) {
            throw new IllegalArgumentException("a confidence threshold does not apply to expert-choice routing");
        }
        if (mode == Mode.EXPERT_CHOICE && overflow == Overflow.REROUTE) {
            throw new IllegalArgumentException("expert-choice routing never overflows; overflow policy reroute does not apply");
        }
    }

    public boolean isNone() {
        return equals(NONE);
    }

    public RoutingOptions withMode(Mode newMode) {
        return new RoutingOptions(newMode, capacityFactor, overflow, renormalizeKept, confidenceThreshold);
    }

    public RoutingOptions withCapacity(double factor, Overflow policy) {
        return new RoutingOptions(mode, factor, policy, renormalizeKept, confidenceThreshold);
    }

    public RoutingOptions withRenormalizeKept(boolean renormalize) {
        return new RoutingOptions(mode, capacityFactor, overflow, renormalize, confidenceThreshold);
    }

    public RoutingOptions withConfidenceThreshold(double threshold) {
        return new RoutingOptions(mode, capacityFactor, overflow, renormalizeKept, threshold);
    }

    /** One line for logs: {@code mode=switch capacity-factor=1.25 overflow=drop ...}. */
    public String describe() {
        if (isNone()) {
            return "family routing, no options";
        }
        return "mode=" + name(mode) + (capacityFactor > 0 ? " capacity-factor=" + capacityFactor + " overflow=" + name(overflow) : "")
                + (renormalizeKept ? " renormalize-kept" : "")
                + (confidenceThreshold > 0 ? " confidence-threshold=" + confidenceThreshold : "");
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
