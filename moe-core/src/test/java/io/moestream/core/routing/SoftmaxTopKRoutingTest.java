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

class SoftmaxTopKRoutingTest {

    @ParameterizedTest(name = "rows={0} experts={1} top-{2}")
    @CsvSource({"1, 2, 1", "5, 8, 2", "33, 8, 8", "17, 16, 4", "9, 3, 2"})
    void shouldMatchAHandComputation(int rows, int experts, int topK) {
        // given
        Matrix logits = TestTensors.gaussian(rows, experts, 100L * experts + topK, 2.0);

        // when
        Routing routing = SoftmaxTopKRouting.mixtral(topK).route(logits);

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
    void shouldKeepThePlainProbabilitiesWhenNotRenormalising() {
        // given: the softmax of these logits is [0.5, 0.25, 0.25] up to rounding
        Matrix logits = new Matrix(2, 3, new float[] {(float) Math.log(2), 0f, 0f, 0f, 0f, (float) Math.log(2)});

        // when routed as OLMoE and Qwen-MoE do without norm_topk_prob
        Routing routing = new SoftmaxTopKRouting(2, false).route(logits);

        // then the top-2 weights are the probabilities themselves and sum to 0.75
        assertThat(routing.experts()).containsExactly(0, 1, 2, 0);
        assertThat(routing.weights()).containsExactly(new float[] {0.5f, 0.25f, 0.5f, 0.25f}, offset(1e-6f));
    }

    @Test
    void shouldPreferTheLowerExpertIdOnTies() {
        Matrix logits = new Matrix(1, 4, new float[] {0.5f, 2f, 0.5f, 2f});

        Routing routing = SoftmaxTopKRouting.mixtral(3).route(logits);

        assertThat(routing.experts()).containsExactly(1, 3, 0);
    }

    @Test
    void shouldStayStableForLargeLogits() {
        Matrix logits = new Matrix(1, 3, new float[] {1000f, 999f, -1000f});

        Routing routing = SoftmaxTopKRouting.mixtral(2).route(logits);

        assertThat(routing.experts()).containsExactly(0, 1);
        double e = Math.exp(-1);
        assertThat(routing.weights()).containsExactly(new float[] {(float) (1 / (1 + e)), (float) (e / (1 + e))},
                offset(1e-6f));
    }

    @Test
    void shouldValidateTopK() {
        assertThatThrownBy(() -> SoftmaxTopKRouting.mixtral(0)).hasMessage("top-k must be at least 1, got 0");
        assertThatThrownBy(() -> SoftmaxTopKRouting.mixtral(3).route(Matrix.zeros(1, 2)))
                .hasMessage("top-k 3 exceeds the 2 experts");
    }

    @Test
    void shouldRejectNonFiniteLogits() {
        Matrix logits = new Matrix(2, 2, new float[] {0f, 1f, Float.NaN, 0f});

        assertThatThrownBy(() -> SoftmaxTopKRouting.mixtral(1).route(logits))
                .hasMessage("router logit of row 1 expert 0 is NaN");
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
