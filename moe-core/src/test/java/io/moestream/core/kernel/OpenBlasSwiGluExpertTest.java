package io.moestream.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OpenBlasSwiGluExpertTest {
    /** max |fast - naive| <= TOLERANCE * max(1, max |naive|). */
    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> shapes() {
        List<Arguments> grid = new ArrayList<>();
        for (int dModel : new int[] {8, 64, 96}) {
            for (int dFf : new int[] {16, 112, 256}) {
                grid.add(Arguments.of(dModel, dFf));
            }
        }
        return grid.stream();
    }

    @ParameterizedTest(name = "d_model={0} d_ff={1}")
    @MethodSource("shapes")
    void shouldMatchTheNaiveExpert(int dModel, int dFf) {
        // given
        ExpertWeights weights = weights(dModel, dFf, 31L * dModel + dFf);
        NaiveSwiGluExpert naive = new NaiveSwiGluExpert(weights);
        try (OpenBlasSwiGluExpert fast = new OpenBlasSwiGluExpert(weights)) {
            // rows grow, then shrink: the reused scratch must not leak rows between calls
            for (int rows : new int[] {1, 7, 64, 130, 7}) {
                Matrix x = TestTensors.gaussian(rows, dModel, 1000L + rows);

                // when
                Matrix actual = fast.forward(x);
                Matrix expected = naive.forward(x);

                // then
                assertThat(Tolerance.maxRelativeError(actual, expected))
                        .as("rows=%d", rows)
                        .isLessThanOrEqualTo(TOLERANCE);
                assertThat(Tolerance.maxAbs(expected)).isGreaterThan(0.01);
            }
        }
    }

    @Test
    void shouldMatchTheNaiveExpertWhenTheActivationIsSplitOverThreads() {
        // given: 130 rows of d_ff 1024 are past ParallelRows' threshold, so with 2+ BLAS threads the rows of the
        // in-place activation are shared between threads writing to the same off-heap buffer
        ExpertWeights weights = weights(16, 1024, 5);
        Matrix x = TestTensors.gaussian(130, 16, 6);
        try (OpenBlasSwiGluExpert fast = new OpenBlasSwiGluExpert(weights)) {
            // when
            Matrix actual = fast.forward(x);

            // then
            assertThat(Tolerance.maxRelativeError(actual, new NaiveSwiGluExpert(weights).forward(x)))
                    .isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void shouldComputeSwiGluOnAHandWorkedExample() {
        // given: d_model = 1, d_ff = 2, W1 = [1, 2]ᵀ, W3 = [3, -1]ᵀ, W2 = [1, 0.5]
        ExpertWeights weights = new ExpertWeights(
                new Matrix(2, 1, new float[] {1f, 2f}),
                new Matrix(1, 2, new float[] {1f, 0.5f}),
                new Matrix(2, 1, new float[] {3f, -1f}));
        Matrix x = new Matrix(1, 1, new float[] {0.5f});
        // y = 1 * silu(0.5) * 1.5 + 0.5 * silu(1.0) * -0.5
        double expected = silu(0.5) * 1.5 - 0.25 * silu(1.0);

        try (OpenBlasSwiGluExpert fast = new OpenBlasSwiGluExpert(weights)) {
            assertThat(fast.forward(x).get(0, 0)).isCloseTo((float) expected, offset(1e-6f));
        }
        assertThat(new NaiveSwiGluExpert(weights).forward(x).get(0, 0))
                .isCloseTo((float) expected, offset(1e-6f));
    }

    @Test
    void shouldReturnAnEmptyMatrixForNoRows() {
        try (OpenBlasSwiGluExpert fast = new OpenBlasSwiGluExpert(weights(8, 16, 1))) {
            Matrix y = fast.forward(Matrix.zeros(0, 8));

            assertThat(y.rows()).isZero();
            assertThat(y.cols()).isEqualTo(8);
        }
    }

    @Test
    void shouldRejectInputOfTheWrongWidthAndUseAfterClose() {
        OpenBlasSwiGluExpert fast = new OpenBlasSwiGluExpert(weights(8, 16, 1));

        assertThatThrownBy(() -> fast.forward(Matrix.zeros(1, 9)))
                .hasMessage("input has 9 columns, the expert's d_model is 8");
        fast.close();
        fast.close();
        assertThatThrownBy(() -> fast.forward(Matrix.zeros(1, 8))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectWeightsOfMismatchedShapes() {
        ExpertWeights bad = new ExpertWeights(Matrix.zeros(16, 8), Matrix.zeros(8, 15), Matrix.zeros(16, 8));

        assertThatThrownBy(() -> new OpenBlasSwiGluExpert(bad)).hasMessageContaining("expert weights disagree");
        assertThatThrownBy(() -> new NaiveSwiGluExpert(bad)).hasMessageContaining("expert weights disagree");
    }

    static ExpertWeights weights(int dModel, int dFf, long seed) {
        return new ExpertWeights(
                TestTensors.gaussian(dFf, dModel, seed, 1 / Math.sqrt(dModel)),
                TestTensors.gaussian(dModel, dFf, seed + 1, 1 / Math.sqrt(dFf)),
                TestTensors.gaussian(dFf, dModel, seed + 2, 1 / Math.sqrt(dModel)));
    }

    private static double silu(double z) {
        return z / (1 + Math.exp(-z));
    }
}
