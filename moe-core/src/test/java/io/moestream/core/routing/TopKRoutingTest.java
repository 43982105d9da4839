package io.moestream.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopKRoutingTest {

    @ParameterizedTest(name = "rows={0} experts={1} top-{2}")
    @CsvSource({"1, 2, 1", "5, 8, 2", "33, 8, 8", "17, 16, 4", "9, 3, 2"})
    void shouldMatchAHandComputation(int rows, int experts, int topK) {
        // given
        Matrix logits = TestTensors.gaussian(rows, experts, 100L * experts + topK, 2.0);

        // when
        Routing routing = TopKRouting.mixtral(topK).route(logits);

        // then: each row's choice equals a direct computation in double
        assertThat(routing.rows()).isEqualTo(rows);
        assertThat(routing.k()).isEqualTo(topK);
        for (int r = 0; r < rows; r++) {
            double[] probs = softmax(logits, r);
            Integer[] order = IntStream.range(0, experts).boxed()
                    .sorted(Comparator.comparingDouble((Integer e) -> -probs[e]).thenComparingInt(e -> e))
                    .toArray(Integer[]::new);
            double kept = 0;
            for (int slot = 0; slot < topK; slot++) {
                kept += probs[order[slot]];
            }
            float sum = 0;
            for (int slot = 0; slot < topK; slot++) {
                assertThat(routing.expert(r, slot)).as("row %d slot %d", r, slot).isEqualTo(order[slot]);
                assertThat(routing.weight(r, slot)).isCloseTo((float) (probs[order[slot]] / kept), offset(1e-6f));
                sum += routing.weight(r, slot);
            }
            assertThat(sum).isCloseTo(1f, offset(1e-6f));
        }
    }

    @Test
    void shouldKeepThePlainProbabilitiesWhenNotRenormalizing() {
        // given: the softmax of these logits is [0.5, 0.25, 0.25] up to rounding
        Matrix logits = new Matrix(2, 3, new float[] {(float) Math.log(2), 0f, 0f, 0f, 0f, (float) Math.log(2)});

        // when routed as OLMoE and Qwen-MoE do without norm_topk_prob
        Routing routing = new TopKRouting(RouterSpec.softmaxTopK(2, false), null).route(logits);

        // then the top-2 weights are the probabilities themselves and sum to 0.75
        assertThat(routing.experts()).containsExactly(0, 1, 2, 0);
        assertThat(routing.weights()).containsExactly(new float[] {0.5f, 0.25f, 0.5f, 0.25f}, offset(1e-6f));
    }

    @Test
    void shouldChooseByBiasedSigmoidScoresButWeighByTheUnbiasedOnes() {
        // given sigmoid scores of [0.9, 0.8, 0.2, 0.1]-ish and a bias that favours expert 3 (DeepSeek-V3)
        Matrix logits = new Matrix(1, 4, new float[] {2.2f, 1.4f, -1.4f, -2.2f});
        float[] bias = {0f, 0f, 0f, 1f};
        RouterSpec spec = new RouterSpec(RouterSpec.Scoring.SIGMOID, 2, false, 2.5f, 1, 1, RouterSpec.GroupScore.MAX, true);

        // when
        Routing routing = new TopKRouting(spec, bias).route(logits);

        // then expert 3 is chosen (0.1 + 1 beats 0.8), weighted by its own sigmoid times the scaling factor
        assertThat(routing.experts()).containsExactly(3, 0);
        assertThat(routing.weights()).containsExactly(new float[] {sigmoid(-2.2) * 2.5f, sigmoid(2.2) * 2.5f},
                offset(1e-6f));
    }

    @Test
    void shouldOnlyChooseFromTheBestGroups() {
        // given two groups of three; group 1 holds the single best expert, group 0 the best top-2 sum
        Matrix logits = new Matrix(1, 6, new float[] {1.0f, 0.9f, -3f, 1.2f, -3f, -3f});
        RouterSpec top2Sum = new RouterSpec(RouterSpec.Scoring.SIGMOID, 2, true, 1f, 2, 1, RouterSpec.GroupScore.TOP2_SUM, false);
        RouterSpec max = new RouterSpec(RouterSpec.Scoring.SOFTMAX, 2, false, 1f, 2, 1, RouterSpec.GroupScore.MAX, false);

        // when routed the DeepSeek-V3 way (group score = sum of the best two) and the V2 way (best one)
        Routing v3 = new TopKRouting(top2Sum, null).route(logits);
        Routing v2 = new TopKRouting(max, null).route(logits);

        // then V3 keeps group 0 (1.0 and 0.9 beat 1.2 and -3), V2 keeps group 1, whose masked-out rivals score 0
        assertThat(v3.experts()).containsExactly(0, 1);
        assertThat(v3.weight(0, 0) + v3.weight(0, 1)).isCloseTo(1f, offset(1e-6f));
        assertThat(v2.experts()).containsExactly(3, 4);
    }

    @Test
    void shouldPreferTheLowerExpertIdOnTies() {
        Matrix logits = new Matrix(1, 4, new float[] {0.5f, 2f, 0.5f, 2f});

        Routing routing = TopKRouting.mixtral(3).route(logits);

        assertThat(routing.experts()).containsExactly(1, 3, 0);
    }

    @Test
    void shouldStayStableForLargeLogits() {
        Matrix logits = new Matrix(1, 3, new float[] {1000f, 999f, -1000f});

        Routing routing = TopKRouting.mixtral(2).route(logits);

        assertThat(routing.experts()).containsExactly(0, 1);
        double e = Math.exp(-1);
        assertThat(routing.weights()).containsExactly(new float[] {(float) (1 / (1 + e)), (float) (e / (1 + e))},
                offset(1e-6f));
    }

    @Test
    void shouldValidateTopK() {
        assertThatThrownBy(() -> TopKRouting.mixtral(0)).hasMessage("top-k must be at least 1, got 0");
        assertThatThrownBy(() -> TopKRouting.mixtral(3).route(Matrix.zeros(1, 2)))
                .hasMessage("top-k 3 exceeds the 2 experts");
    }

    @Test
    void shouldRejectNonFiniteLogits() {
        Matrix logits = new Matrix(2, 2, new float[] {0f, 1f, Float.NaN, 0f});

        assertThatThrownBy(() -> TopKRouting.mixtral(1).route(logits))
                .hasMessage("router logit of row 1 expert 0 is NaN");
    }

    private static float sigmoid(double z) {
        return (float) (1 / (1 + Math.exp(-z)));
    }

    private static double[] softmax(Matrix logits, int row) {
        double[] z = new double[logits.cols()];
        for (int e = 0; e < z.length; e++) {
            z[e] = Math.exp(logits.get(row, e));
        }
        double sum = Arrays.stream(z).sum();
        return Arrays.stream(z).map(v -> v / sum).toArray();
    }
}
