package io.moestream.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.NaiveMoe;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GateScorerTest {

    @ParameterizedTest(name = "rows={0} d_model={1} experts={2}")
    @CsvSource({"1, 8, 2", "7, 64, 8", "130, 96, 16", "64, 33, 5"})
    void shouldMatchTheNaiveProduct(int rows, int dModel, int experts) {
        // given
        Matrix gate = TestTensors.gaussian(experts, dModel, 5, 1 / Math.sqrt(dModel));
        Matrix x = TestTensors.gaussian(rows, dModel, 6);

        // when
        Matrix logits = new GateScorer(gate).logits(x);

        // then
        assertThat(logits.rows()).isEqualTo(rows);
        assertThat(logits.cols()).isEqualTo(experts);
        assertThat(Tolerance.maxRelativeError(logits, NaiveMoe.logits(x, gate))).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void shouldRejectInputOfTheWrongWidth() {
        GateScorer scorer = new GateScorer(Matrix.zeros(4, 8));

        assertThatThrownBy(() -> scorer.logits(Matrix.zeros(2, 7)))
                .hasMessage("input has 7 columns, the gate's d_model is 8");
    }

    @Test
    void shouldKnowOrdinaryInputsGiveFiniteLogitsAndLeaveHugeOnesToTheProduct() {
        GateScorer scorer = new GateScorer(TestTensors.gaussian(8, 16, 3, 1.0));
        Matrix ordinary = TestTensors.gaussian(4, 16, 4, 100.0);
        Matrix huge = TestTensors.gaussian(4, 16, 5, 1.0);
        huge.data()[0] = 3e38f;

        assertThat(scorer.logitsSurelyFinite(ordinary)).isTrue();
        assertThat(scorer.logitsSurelyFinite(huge)).isFalse();
        assertThat(scorer.logits(huge).firstNonFinite()).as("the product does overflow here").isGreaterThanOrEqualTo(0);
    }
}
