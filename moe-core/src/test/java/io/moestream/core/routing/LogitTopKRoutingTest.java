package io.moestream.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The routers that choose by logit: GPT-OSS (softmax over the top-k logits) and Llama-4 (sigmoid of each). */
class LogitTopKRoutingTest {

    @ParameterizedTest(name = "rows={0} experts={1} top-{2}")
    @CsvSource({"1, 2, 1", "7, 32, 4", "40, 128, 4", "9, 6, 3"})
    void shouldRouteAsGptOssTakingTheSoftmaxOverTheTopKLogitsOnly(int rows, int experts, int topK) {
        // given
        Matrix logits = TestTensors.gaussian(rows, experts, 7L * experts + topK, 3.0);

        // when
        Routing routing = new TopKRouting(RouterSpec.softmaxOfTopK(topK), null).route(logits);

        // then: top-k by logit, weights softmax over those k logits, computed here in double
        for (int r = 0; r < rows; r++) {
            int[] order = byLogit(logits, r);
            double max = logits.get(r, order[0]);
            double sum = 0;
            for (int slot = 0; slot < topK; slot++) {
                sum += Math.exp(logits.get(r, order[slot]) - max);
            }
            for (int slot = 0; slot < topK; slot++) {
                assertThat(routing.expert(r, slot)).as("row %d slot %d", r, slot).isEqualTo(order[slot]);
                assertThat(routing.weight(r, slot))
                        .isCloseTo((float) (Math.exp(logits.get(r, order[slot]) - max) / sum), offset(1e-6f));
            }
        }
    }

    @Test
    void shouldNotTakeTheSoftmaxOverAllExpertsBeforeTheTopK() {
        // given logits whose top-2 softmax over all four experts is [0.42, 0.42] (the other two take the rest)
        Matrix logits = new Matrix(1, 4, new float[] {1f, 1f, 0f, 0f});

        // when routed as GPT-OSS
        Routing routing = new TopKRouting(RouterSpec.softmaxOfTopK(2), null).route(logits);

        // then the two weights are the softmax over the two chosen logits: 0.5 each
        assertThat(routing.experts()).containsExactly(0, 1);
        assertThat(routing.weights()).containsExactly(new float[] {0.5f, 0.5f}, offset(1e-7f));
    }

    @ParameterizedTest(name = "rows={0} experts={1} top-{2}")
    @CsvSource({"1, 16, 1", "33, 16, 1", "12, 128, 1", "9, 8, 2"})
    void shouldRouteAsLlama4WithTheSigmoidOfEachChosenLogit(int rows, int experts, int topK) {
        // given
        Matrix logits = TestTensors.gaussian(rows, experts, 11L * experts + topK, 3.0);

        // when
        Routing routing = new TopKRouting(RouterSpec.sigmoidOfTopK(topK), null).route(logits);

        // then: top-k by logit, weight sigmoid(logit), not renormalized
        for (int r = 0; r < rows; r++) {
            int[] order = byLogit(logits, r);
            for (int slot = 0; slot < topK; slot++) {
                assertThat(routing.expert(r, slot)).isEqualTo(order[slot]);
                assertThat(routing.weight(r, slot))
                        .isCloseTo((float) (1 / (1 + Math.exp(-logits.get(r, order[slot])))), offset(1e-7f));
            }
        }
    }

    @Test
    void shouldChooseByLogitWhereTheSigmoidSaturates() {
        // given logits whose sigmoids are both 1.0f: chosen by score, the tie would go to the lower expert
        Matrix logits = new Matrix(1, 3, new float[] {20f, 25f, -3f});

        // when routed as Llama-4 (top-1)
        Routing routing = new TopKRouting(RouterSpec.sigmoidOfTopK(1), null).route(logits);

        // then the larger logit wins, as torch.topk on the logits chooses
        assertThat(routing.experts()).containsExactly(1);
        assertThat(routing.weights()).containsExactly(1f);
    }

    @Test
    void shouldRefuseGroupsBiasesAndAnUnnormalisedSoftmaxOverTopK() {
        assertThatThrownBy(() -> new RouterSpec(RouterSpec.Scoring.SOFTMAX_OF_TOP_K, 2, true, 1f, 2, 1,
                RouterSpec.GroupScore.MAX, false)).hasMessageContaining("chooses by logit");
        assertThatThrownBy(() -> new RouterSpec(RouterSpec.Scoring.SIGMOID_OF_TOP_K, 1, false, 1f, 1, 1,
                RouterSpec.GroupScore.MAX, true)).hasMessageContaining("chooses by logit");
        assertThatThrownBy(() -> new RouterSpec(RouterSpec.Scoring.SOFTMAX_OF_TOP_K, 2, false, 1f, 1, 1,
                RouterSpec.GroupScore.MAX, false)).hasMessageContaining("needs renormalize");
    }

    @Test
    void shouldRerouteOverflowWithTheRerouteTargetsOwnScore() {
        // given every row prefers expert 0, then expert 1 (logits descending), capacity 1 row per expert
        Matrix logits = new Matrix(2, 3, new float[] {3f, 2f, 1f, 3f, 2f, 1f});
        RoutingOptions options = RoutingOptions.NONE.withCapacity(0.5, RoutingOptions.Overflow.REROUTE);

        // when routed as Llama-4 with top-1 and capacity 1
        Routing routing = new ConfiguredRouting(new TopKRouting(RouterSpec.sigmoidOfTopK(1), null), options).route(logits);

        // then row 1 moves to its next-best expert 1, weight sigmoid(2)
        assertThat(routing.experts()).containsExactly(0, 1);
        assertThat(routing.weight(1, 0)).isCloseTo((float) (1 / (1 + Math.exp(-2))), offset(1e-7f));
        assertThat(routing.stats().rerouted()).isEqualTo(1);
    }

    @Test
    void shouldWeighAGptOssRerouteTargetAgainstTheRowsChosenLogits() {
        // given two rows preferring experts 0 then 1 (top-2 of 4), capacity 1 assignment per expert
        Matrix logits = new Matrix(2, 4, new float[] {3f, 2f, 1f, 0f, 3f, 2f, 1f, 0f});
        RoutingOptions options = RoutingOptions.NONE.withCapacity(0.5, RoutingOptions.Overflow.REROUTE);

        // when
        Routing routing = new ConfiguredRouting(new TopKRouting(RouterSpec.softmaxOfTopK(2), null), options).route(logits);

        // then row 1's two assignments move to experts 2 and 3, weighted exp(l - 3) over the row's chosen exp(3 - 3) + exp(2 - 3)
        double chosen = 1 + Math.exp(-1);
        assertThat(routing.experts()).containsExactly(0, 1, 2, 3);
        assertThat(routing.weight(1, 0)).isCloseTo((float) (Math.exp(-2) / chosen), offset(1e-7f));
        assertThat(routing.weight(1, 1)).isCloseTo((float) (Math.exp(-3) / chosen), offset(1e-7f));
        assertThat(routing.stats().rerouted()).isEqualTo(2);
    }

    /** Experts of row {@code r} by descending logit, ties to the lower id. */
    private static int[] byLogit(Matrix logits, int r) {
        return IntStream.range(0, logits.cols()).boxed()
                .sorted(Comparator.comparingDouble((Integer e) -> -logits.get(r, e)).thenComparingInt(e -> e))
                .mapToInt(Integer::intValue).toArray();
    }
}
