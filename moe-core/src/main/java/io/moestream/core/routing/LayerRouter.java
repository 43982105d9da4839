package io.moestream.core.routing;

import io.moestream.core.kernel.GateScorer;
import io.moestream.core.tensor.Matrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Everything that decides, for a chunk of one MoE layer, which expert gets which rows with which weight: one gate
 * product for all rows, the family's top-k policy, and the shared expert (id {@code n_experts}) that gets every
 * row, weighted by {@code sigmoid(shared_expert_gate · x)} (Qwen2-MoE) or by 1 (DeepSeek, Llama-4), and where the
 * layer's weights apply ({@link GateWeighting}). Immutable; safe to share between threads.
 */
public final class LayerRouter {
    private final GateScorer gate;
    private final RoutingPolicy policy;
    private final Optional<SharedExpert> shared;
    private final GateWeighting weighting;

    /**
     * The shared expert of a layer.
     *
     * @param gate {@code [1, d_model]} scorer whose sigmoid weighs each row, or empty for a weight of 1
     */
    public record SharedExpert(int id, Optional<GateScorer> gate) {
    }

    /** A layer whose gate weights apply to the experts' outputs. */
    public LayerRouter(GateScorer gate, RoutingPolicy policy, Optional<SharedExpert> shared) {
        this(gate, policy, shared, GateWeighting.OUTPUT);
    }

    public LayerRouter(GateScorer gate, RoutingPolicy policy, Optional<SharedExpert> shared, GateWeighting weighting) {
        this.gate = gate;
        this.policy = policy;
        this.shared = shared;
        this.weighting = weighting;
    }

    /**
     * Where every expert's weights of this layer apply; the shared expert's weight is 1 wherever a layer weighs inputs
     * (Llama-4), so one answer serves all its experts.
     */
    public GateWeighting weighting() {
        return weighting;
    }

    public int numExperts() {
        return gate.numExperts();
    }

    /** Whether the logits of the finite input {@code x} are finite, known without computing them ({@link GateScorer}). */
    public boolean logitsSurelyFinite(Matrix x) {
        return gate.logitsSurelyFinite(x);
    }

    /** router_logits: (rows, n_experts). */
    public Matrix logits(Matrix x) {
        return gate.logits(x);
    }

    /**
     * Why a chunk with these gate {@code logits} cannot be routed ("gate logits of row r overflow to v"), or empty when
     * they are all finite. The router dead-letters such a chunk; the gateway refuses it with the same words.
     */
    public static Optional<String> logitOverflow(Matrix logits) {
        int bad = logits.firstNonFinite();
        return bad < 0 ? Optional.empty()
                : Optional.of("gate logits of row " + bad / logits.cols() + " overflow to " + logits.data()[bad]);
    }

    public RoutedChunk route(Matrix x) {
        return route(x, logits(x));
    }

    /** Routes {@code x} whose logits were already computed (callers that validate them first). */
    public RoutedChunk route(Matrix x, Matrix logits) {
        Routing topK = policy.route(logits);
        List<ExpertAssignment> assignments = new ArrayList<>(topK.byExpert());
        shared.ifPresent(s -> assignments.add(new ExpertAssignment(s.id(), allRows(x.rows()), sharedWeights(s, x))));
        return new RoutedChunk(logits, topK, List.copyOf(assignments));
    }

    private static float[] sharedWeights(SharedExpert shared, Matrix x) {
        float[] weights = new float[x.rows()];
        if (shared.gate().isEmpty()) {
            Arrays.fill(weights, 1f);
            return weights;
        }
        // shared_gate_logits: (rows, 1)
        Matrix logits = shared.gate().get().logits(x);
        for (int r = 0; r < weights.length; r++) {
            weights[r] = (float) (1.0 / (1.0 + Math.exp(-logits.get(r, 0))));
        }
        return weights;
    }

    private static int[] allRows(int rows) {
        int[] all = new int[rows];
        Arrays.setAll(all, r -> r);
        return all;
    }
}
