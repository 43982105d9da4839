package io.moestream.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.routing.GateWeighting;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GPT-OSS's expert (biases, clamped SwiGLU) on OpenBLAS against the naive twin, and Llama-4's input weighting. */
class GatedExpertVariantsTest {
    /** max |fast - naive| <= TOLERANCE * max(1, max |naive|). */
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "d_model={0} d_ff={1} limit={2}")
    @CsvSource({"8, 16, 7.0", "64, 112, 7.0", "96, 256, 7.0", "64, 64, 2.5"})
    void shouldMatchTheNaiveExpertWithBiasesAndClampsThatFire(int dModel, int dFf, float limit) {
        // given gate and up values of standard deviation 3.5, so a few percent lie beyond ±7
        ExpertWeights weights = gptOssWeights(dModel, dFf, GluActivation.clampedSwiGlu(limit), 17L * dModel + dFf);
        NaiveSwiGluExpert naive = new NaiveSwiGluExpert(weights);
        try (OpenBlasSwiGluExpert fast = new OpenBlasSwiGluExpert(weights)) {
            for (int rows : new int[] {1, 7, 64, 130}) {
                Matrix x = TestTensors.gaussian(rows, dModel, 500L + rows);

                // when
                Matrix actual = fast.forward(x);
                Matrix expected = naive.forward(x);

                // then
                assertThat(Tolerance.maxRelativeError(actual, expected)).as("rows=%d", rows).isLessThanOrEqualTo(TOLERANCE);
                assertThat(Tolerance.maxAbs(expected)).isGreaterThan(0.01);
            }
            // and the clamps acted on this grid
            Matrix x = TestTensors.gaussian(130, dModel, 630);
            assertThat(beyond(preActivation(x, weights.w1(), weights.biases().get().gate()), limit))
                    .as("share of gate values above the limit").isGreaterThan(0.01);
        }
    }

    @Test
    void shouldComputeTheClampedSwiGluWithBiasesOnAHandWorkedExample() {
        // given d_model = 1, d_ff = 2: gate = [10x + 1, -x], up = [x, 9x - 1], down = [1, 2] + 0.5
        ExpertWeights weights = new ExpertWeights(
                new Matrix(2, 1, new float[] {10f, -1f}),
                new Matrix(1, 2, new float[] {1f, 2f}),
                new Matrix(2, 1, new float[] {1f, 9f}),
                Optional.of(new ExpertBiases(new float[] {1f, 0f}, new float[] {0f, -1f}, new float[] {0.5f})),
                GluActivation.clampedSwiGlu(7f));
        Matrix x = new Matrix(1, 1, new float[] {1f});
        // gate = [11 -> clamped to 7, -1]; up = [1, 8 -> clamped to 7]
        double expected = (1 + 1) * 7 * sigmoid(1.702 * 7) + 2 * (7 + 1) * -1 * sigmoid(-1.702) + 0.5;

        try (OpenBlasSwiGluExpert fast = new OpenBlasSwiGluExpert(weights)) {
            assertThat(fast.forward(x).get(0, 0)).isCloseTo((float) expected, offset(1e-5f));
        }
        assertThat(new NaiveSwiGluExpert(weights).forward(x).get(0, 0)).isCloseTo((float) expected, offset(1e-5f));
    }

    @Test
    void shouldWeighTheInputForLlama4AndTheOutputOtherwise() {
        // given a SiLU-GLU expert (not linear, so the two orders differ) and two rows with weights 0.5 and 2
        ExpertWeights weights = OpenBlasSwiGluExpertTest.weights(8, 16, 3);
        Matrix x = TestTensors.gaussian(2, 8, 4);
        float[] gate = {0.5f, 2f};
        NaiveSwiGluExpert naive = new NaiveSwiGluExpert(weights);

        // when
        Matrix onInput = GateWeighting.INPUT.weightedOutput(
                naive.forward(GateWeighting.INPUT.expertInput(x, gate)), gate);
        Matrix onOutput = GateWeighting.OUTPUT.weightedOutput(
                naive.forward(GateWeighting.OUTPUT.expertInput(x, gate)), gate);

        // then
        assertThat(onInput).isEqualTo(naive.forward(x.scaleRows(gate)));
        assertThat(onOutput).isEqualTo(naive.forward(x).scaleRows(gate));
        assertThat(Tolerance.maxAbsDiff(onInput, onOutput)).isGreaterThan(1e-3);
    }

    @Test
    void shouldRejectBiasesOfTheWrongLength() {
        ExpertWeights bad = new ExpertWeights(Matrix.zeros(16, 8), Matrix.zeros(8, 16), Matrix.zeros(16, 8),
                Optional.of(new ExpertBiases(new float[16], new float[16], new float[7])), GluActivation.clampedSwiGlu(7f));

        assertThatThrownBy(() -> new OpenBlasSwiGluExpert(bad)).hasMessageContaining("expert biases disagree");
        assertThatThrownBy(() -> new NaiveSwiGluExpert(bad)).hasMessageContaining("expert biases disagree");
    }

    static ExpertWeights gptOssWeights(int dModel, int dFf, GluActivation activation, long seed) {
        return new ExpertWeights(
                TestTensors.gaussian(dFf, dModel, seed, 3.5 / Math.sqrt(dModel)),
                TestTensors.gaussian(dModel, dFf, seed + 1, 1 / Math.sqrt(dFf)),
                TestTensors.gaussian(dFf, dModel, seed + 2, 3.5 / Math.sqrt(dModel)),
                Optional.of(new ExpertBiases(TestTensors.gaussian(1, dFf, seed + 3, 0.5).data(),
                        TestTensors.gaussian(1, dFf, seed + 4, 0.5).data(),
                        TestTensors.gaussian(1, dModel, seed + 5, 0.5).data())),
                activation);
    }

    /** (rows, d_ff) = x · wᵀ + b, in double. */
    private static double[] preActivation(Matrix x, Matrix w, float[] b) {
        double[] out = new double[x.rows() * w.rows()];
        for (int r = 0; r < x.rows(); r++) {
            for (int j = 0; j < w.rows(); j++) {
                double sum = b[j];
                for (int k = 0; k < x.cols(); k++) {
                    sum += (double) x.get(r, k) * w.get(j, k);
                }
                out[r * w.rows() + j] = sum;
            }
        }
        return out;
    }

    private static double beyond(double[] values, float limit) {
        long count = java.util.Arrays.stream(values).filter(v -> v > limit).count();
        return (double) count / values.length;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
