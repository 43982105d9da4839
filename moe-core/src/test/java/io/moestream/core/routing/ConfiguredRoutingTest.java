package io.moestream.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.moestream.core.kernel.GateScorer;
import io.moestream.core.routing.RoutingOptions.Mode;
import io.moestream.core.routing.RoutingOptions.Overflow;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConfiguredRoutingTest {

    @Test
    void shouldRouteSwitchStyleToTheBestExpertWithItsPlainProbability() {
        // given Mixtral top-2 logits whose softmax is [0.5, 0.25, 0.25] and [0.25, 0.25, 0.5]
        Matrix logits = new Matrix(2, 3, new float[] {(float) Math.log(2), 0f, 0f, 0f, 0f, (float) Math.log(2)});

        // when routed Switch-style
        Routing routing = routed(TopKRouting.mixtral(2), RoutingOptions.NONE.withMode(Mode.SWITCH), logits);

        // then one expert per row, weighted by its probability (not renormalized to 1)
        assertThat(routing.k()).isEqualTo(1);
        assertThat(routing.experts()).containsExactly(0, 2);
        assertThat(routing.weights()).containsExactly(new float[] {0.5f, 0.5f}, offset(1e-6f));
    }

    @Test
    void shouldRouteDenselyToEveryExpertWithSoftmaxWeights() {
        Matrix logits = TestTensors.gaussian(5, 6, 3, 2.0);

        Routing routing = routed(TopKRouting.mixtral(2), RoutingOptions.NONE.withMode(Mode.DENSE), logits);

        assertThat(routing.k()).isEqualTo(6);
        for (int r = 0; r < 5; r++) {
            double[] probs = softmax(logits, r);
            float sum = 0;
            for (int slot = 0; slot < 6; slot++) {
                int e = routing.expert(r, slot);
                assertThat(routing.weight(r, slot)).isCloseTo((float) probs[e], offset(1e-6f));
                sum += routing.weight(r, slot);
            }
            assertThat(sum).isCloseTo(1f, offset(1e-5f));
        }
        assertThat(routing.byExpert()).hasSize(6).allSatisfy(a -> assertThat(a.rowIndex()).hasSize(5));
    }

    @Test
    void shouldLetEachExpertChooseItsBestRows() {
        // given 10 rows, 4 experts, capacity factor 2: C = ceil(10 * 2 / 4) = 5 rows per expert
        Matrix logits = TestTensors.gaussian(10, 4, 8, 2.0);
        RoutingOptions options = RoutingOptions.NONE.withMode(Mode.EXPERT_CHOICE).withCapacity(2, Overflow.DROP);

        Routing routing = routed(TopKRouting.mixtral(2), options, logits);

        // then each expert has exactly its 5 highest-probability rows, weighted by that probability
        for (ExpertAssignment a : routing.byExpert()) {
            int e = a.expert();
            int[] best = IntStream.range(0, 10).boxed()
                    .sorted(Comparator.comparingDouble((Integer r) -> -softmax(logits, r)[e]).thenComparingInt(r -> r))
                    .limit(5).mapToInt(Integer::intValue).sorted().toArray();
            assertThat(a.rowIndex()).as("rows of expert %d", e).containsExactly(best);
            for (int i = 0; i < best.length; i++) {
                assertThat(a.gateWeights()[i]).isCloseTo((float) softmax(logits, best[i])[e], offset(1e-6f));
            }
        }
        assertThat(routing.byExpert()).hasSize(4);
        assertThat(routing.stats()).isEqualTo(RoutingStats.none(20));
    }

    @Test
    void shouldGiveExpertChoiceTheFamilyTopKAsDefaultCapacityFactor() {
        // 12 rows, 3 experts, top-2 family: C = ceil(12 * 2 / 3) = 8
        Routing routing = routed(TopKRouting.mixtral(2), RoutingOptions.NONE.withMode(Mode.EXPERT_CHOICE),
                TestTensors.gaussian(12, 3, 4, 1.0));

        assertThat(routing.byExpert()).allSatisfy(a -> assertThat(a.rowIndex()).hasSize(8));
    }

    @Test
    void shouldDropAssignmentsOverCapacityUnderASkewedRouter() {
        // given a gate whose row 0 is scaled up on a feature every token carries: most tokens want expert 0 first
        int rows = 64;
        int experts = 8;
        Matrix logits = skewedLogits(rows, experts);
        Routing base = TopKRouting.mixtral(2).route(logits);
        RoutingOptions options = RoutingOptions.NONE.withCapacity(1.0, Overflow.DROP);
        int capacity = (int) Math.ceil(1.0 * rows * 2 / experts);
        int[] demand = demand(base, experts);
        assertThat(demand[0]).as("the skew sends most tokens to expert 0").isGreaterThan(rows / 2).isGreaterThan(capacity);

        // when routed with capacity factor 1 and overflow policy drop
        Routing routing = routed(TopKRouting.mixtral(2), options, logits);

        // then every expert takes at most its capacity, and exactly the overflow is dropped
        int[] load = demand(routing, experts);
        int overflow = 0;
        for (int e = 0; e < experts; e++) {
            assertThat(load[e]).isEqualTo(Math.min(demand[e], capacity));
            overflow += Math.max(0, demand[e] - capacity);
        }
        assertThat(routing.stats()).isEqualTo(new RoutingStats(rows * 2, 0, overflow, 0));
        // expert 0 keeps the first rows that chose it first, in row order (first choices first)
        int[] firstChoosers = IntStream.range(0, rows).filter(r -> base.expert(r, 0) == 0).limit(capacity).toArray();
        assertThat(rowsOf(routing, 0)).containsExactly(firstChoosers);
        // every kept assignment keeps its slot and weight; a row that lost its first expert keeps its second
        for (int i = 0; i < rows * 2; i++) {
            if (routing.experts()[i] != Routing.EMPTY) {
                assertThat(routing.experts()[i]).isEqualTo(base.experts()[i]);
                assertThat(routing.weights()[i]).isEqualTo(base.weights()[i]);
            }
        }
        int lostFirst = IntStream.range(0, rows).filter(r -> routing.expert(r, 0) == Routing.EMPTY).findFirst().orElseThrow();
        assertThat(routing.expert(lostFirst, 1)).isEqualTo(base.expert(lostFirst, 1));
    }

    @Test
    void shouldRerouteEveryOverflowWhenTheOtherExpertsHaveRoom() {
        // the same skewed router, overflow policy reroute: capacity 1.25 leaves room for every assignment
        int rows = 64;
        int experts = 8;
        Matrix logits = skewedLogits(rows, experts);
        int[] demand = demand(TopKRouting.mixtral(2).route(logits), experts);
        int capacity = (int) Math.ceil(1.25 * rows * 2 / experts);

        Routing routing = routed(TopKRouting.mixtral(2), RoutingOptions.NONE.withCapacity(1.25, Overflow.REROUTE), logits);

        int overflow = IntStream.range(0, experts).map(e -> Math.max(0, demand[e] - capacity)).sum();
        assertThat(overflow).isPositive();
        // a rerouted assignment can fill an expert that a later row wanted, so at least the first overflow moves
        assertThat(routing.stats().dropped()).isZero();
        assertThat(routing.stats().rerouted()).isGreaterThanOrEqualTo(overflow);
        assertThat(routing.experts()).doesNotContain(Routing.EMPTY);
        assertThat(Arrays.stream(demand(routing, experts)).max().orElseThrow()).isLessThanOrEqualTo(capacity);
        for (int r = 0; r < rows; r++) {
            assertThat(routing.expert(r, 0)).isNotEqualTo(routing.expert(r, 1));
        }
    }

    @Test
    void shouldRerouteToTheNextBestExpertWithRoom() {
        // given 5 rows that all want expert 0 first, top-1, capacity factor 1: C = ceil(5 / 3) = 2 per expert
        Matrix logits = new Matrix(5, 3, new float[] {
                3, 2, 0,
                3, 0, 2,
                3, 2, 0,
                3, 2, 1,
                3, 2, 1});

        Routing routing = routed(TopKRouting.mixtral(1), RoutingOptions.NONE.withCapacity(1, Overflow.REROUTE), logits);

        // then rows 0 and 1 keep expert 0; rows 2 and 3 go to their next best, expert 1; expert 1 is then full, so
        // row 4 goes to expert 2, its third choice
        assertThat(routing.experts()).containsExactly(0, 0, 1, 1, 2);
        // a rerouted weight is the new expert's probability, normalised as the row's chosen experts were (p0)
        assertThat(routing.weights()).containsExactly(new float[] {1f, 1f, (float) Math.exp(-1), (float) Math.exp(-1),
                (float) Math.exp(-2)}, offset(1e-6f));
        assertThat(routing.stats()).isEqualTo(new RoutingStats(5, 0, 0, 3));
    }

    @Test
    void shouldDropWhenNoExpertHasRoomToRerouteTo() {
        // 4 rows, 2 experts, top-1, capacity factor 0.5: C = 1; rows 2 and 3 find both experts full
        Matrix logits = new Matrix(4, 2, new float[] {1, 0, 1, 0, 1, 0, 1, 0});

        Routing routing = routed(TopKRouting.mixtral(1), RoutingOptions.NONE.withCapacity(0.5, Overflow.REROUTE), logits);

        assertThat(routing.experts()).containsExactly(0, 1, Routing.EMPTY, Routing.EMPTY);
        assertThat(routing.stats()).isEqualTo(new RoutingStats(4, 0, 2, 1));
    }

    @Test
    void shouldRenormalizeKeptWeightsOnlyWhenConfigured() {
        // given 2 rows, 3 experts, top-2 with weights 0.75 / 0.25, capacity factor 0.75: C = ceil(0.75 * 2 * 2 / 3) = 1
        float z = (float) Math.log(3);
        Matrix logits = new Matrix(2, 3, new float[] {z, 0, -20, 0, z, -20});
        RoutingOptions drop = RoutingOptions.NONE.withCapacity(0.75, Overflow.DROP);

        // when row 0 takes expert 0 and row 1 expert 1 (first choices first), so both second choices overflow
        Routing plain = routed(TopKRouting.mixtral(2), drop, logits);
        Routing renormalized = routed(TopKRouting.mixtral(2), drop.withRenormalizeKept(true), logits);

        // then the kept weights stay 0.75 unless renormalize-kept brings the row back to its sum of 1
        assertThat(plain.experts()).containsExactly(0, Routing.EMPTY, 1, Routing.EMPTY);
        assertThat(plain.weights()).containsExactly(new float[] {0.75f, 0f, 0.75f, 0f}, offset(1e-6f));
        assertThat(plain.stats()).isEqualTo(new RoutingStats(4, 0, 2, 0));
        assertThat(renormalized.experts()).containsExactly(plain.experts());
        assertThat(renormalized.weights()).containsExactly(new float[] {1f, 0f, 1f, 0f}, offset(1e-6f));
    }

    @Test
    void shouldSkipAWeakSecondExpertBelowTheConfidenceThreshold() {
        // row 0: renormalized top-2 shares 0.9 / 0.1; row 1: 0.5 / 0.5
        Matrix logits = new Matrix(2, 4, new float[] {(float) Math.log(9), 0, -10, -10, 0, 0, -10, -10});
        RoutingOptions threshold = RoutingOptions.NONE.withConfidenceThreshold(0.2);

        Routing routing = routed(TopKRouting.mixtral(2), threshold, logits);
        Routing renormalized = routed(TopKRouting.mixtral(2), threshold.withRenormalizeKept(true), logits);

        assertThat(routing.experts()).containsExactly(0, Routing.EMPTY, 0, 1);
        assertThat(routing.weights()).containsExactly(new float[] {0.9f, 0f, 0.5f, 0.5f}, offset(1e-5f));
        assertThat(routing.stats()).isEqualTo(new RoutingStats(4, 1, 0, 0));
        assertThat(renormalized.weights()).containsExactly(new float[] {1f, 0f, 0.5f, 0.5f}, offset(1e-5f));
    }

    @Test
    void shouldLeaveTheFamilyRoutingAloneWithoutOptions() {
        Matrix logits = TestTensors.gaussian(7, 5, 9, 2.0);

        Routing plain = TopKRouting.mixtral(2).route(logits);
        Routing configured = routed(TopKRouting.mixtral(2), RoutingOptions.NONE, logits);

        assertThat(configured.experts()).containsExactly(plain.experts());
        assertThat(configured.weights()).containsExactly(plain.weights());
    }

    @Test
    void shouldRejectOptionsThatDoNotFit() {
        assertThatThrownBy(() -> RoutingOptions.NONE.withCapacity(-1, Overflow.DROP))
                .hasMessage("capacity factor must be positive (or 0 for none), got -1.0");
        assertThatThrownBy(() -> RoutingOptions.NONE.withConfidenceThreshold(1))
                .hasMessage("confidence threshold must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> RoutingOptions.NONE.withMode(Mode.EXPERT_CHOICE).withConfidenceThreshold(0.1))
                .hasMessage("a confidence threshold does not apply to expert-choice routing");
        assertThatThrownBy(() -> RoutingOptions.NONE.withMode(Mode.EXPERT_CHOICE).withCapacity(1, Overflow.REROUTE))
                .hasMessageContaining("expert-choice routing never overflows");
    }

    private static Routing routed(TopKRouting family, RoutingOptions options, Matrix logits) {
        return new ConfiguredRouting(family, options).route(logits);
    }

    private static int[] demand(Routing routing, int experts) {
        int[] count = new int[experts];
        for (int e : routing.experts()) {
            if (e != Routing.EMPTY) {
                count[e]++;
            }
        }
        return count;
    }

    private static int[] rowsOf(Routing routing, int expert) {
        return routing.byExpert().stream().filter(a -> a.expert() == expert).findFirst().orElseThrow().rowIndex();
    }

    private static double[] softmax(Matrix logits, int row) {
        double[] z = new double[logits.cols()];
        for (int e = 0; e < z.length; e++) {
            z[e] = Math.exp(logits.get(row, e));
        }
        double sum = Arrays.stream(z).sum();
        return Arrays.stream(z).map(v -> v / sum).toArray();
    }

    /** Gate logits of {@code rows} tokens whose gate row 0 is scaled up on a feature every token carries. */
    private static Matrix skewedLogits(int rows, int experts) {
        Matrix x = TestTensors.gaussian(rows, 16, 21, 1.0);
        for (int r = 0; r < rows; r++) {
            x.data()[r * 16] += 3f;
        }
        Matrix gate = TestTensors.gaussian(experts, 16, 22, 0.3);
        gate.data()[0] = 3f;
        return new GateScorer(gate).logits(x);
    }
}
