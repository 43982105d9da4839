package io.moestream.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The BF16 kernel against its naive twins: {@link NaiveSwiGluExpert#bf16} (the same BF16 roundings; what is left is
 * the order of FP32 accumulation and the float activation) and the FP32 naive expert (the error BF16 costs). Runs only
 * where the CPU has BF16 units (AMX or AVX512-BF16); elsewhere every test is skipped with the probe's reason.
 */
class OneDnnBf16ExpertTest {
    /**
     * max |bf16 kernel - naive bf16| <= BF16_TWIN * max(1, max |naive bf16|): the activation, computed in float by the
     * kernel and in double by the twin, can round to neighbouring BF16 values (2^-8 apart), so not tighter.
     */
    private static final double BF16_TWIN = 6e-3;
    /** max |bf16 kernel - naive fp32| <= AGAINST_FP32 * max(1, max |naive fp32|): BF16 keeps 8 bits of mantissa. */
    private static final double AGAINST_FP32 = 2e-2;

    @BeforeEach
    void requireBf16Units() {
        OneDnn.Bf16Support support = OneDnn.bf16Support();
        assumeTrue(support.available(), () -> "no BF16 kernel on this CPU: " + support.detail());
    }

    static Stream<Arguments> shapes() {
        List<Arguments> grid = new ArrayList<>();
        // d_ff not a multiple of 64 (and odd d_model): the matmul's blocks have tails
        for (int dModel : new int[] {8, 64, 97}) {
            for (int dFf : new int[] {16, 112, 200}) {
                grid.add(Arguments.of(dModel, dFf));
            }
        }
        return grid.stream();
    }

    @ParameterizedTest(name = "d_model={0} d_ff={1}")
    @MethodSource("shapes")
    void shouldMatchTheNaiveExpertsOverRowBuckets(int dModel, int dFf) {
        // given
        ExpertWeights weights = OpenBlasSwiGluExpertTest.weights(dModel, dFf, 31L * dModel + dFf);
        NaiveSwiGluExpert twin = NaiveSwiGluExpert.bf16(weights);
        NaiveSwiGluExpert fp32 = new NaiveSwiGluExpert(weights);
        try (OneDnnBf16Expert fast = new OneDnnBf16Expert(weights)) {
            // odd counts inside buckets, a full bucket, more rows than the largest bucket, then fewer again
            for (int rows : new int[] {1, 3, 7, 16, 17, 130, 256, 301, 5}) {
                Matrix x = TestTensors.gaussian(rows, dModel, 1000L + rows);

                // when
                Matrix actual = fast.forward(x);

                // then
                Matrix expected = twin.forward(x);
                assertThat(Tolerance.maxRelativeError(actual, expected)).as("rows=%d against the bf16 twin", rows)
                        .isLessThanOrEqualTo(BF16_TWIN);
                assertThat(Tolerance.maxRelativeError(actual, fp32.forward(x))).as("rows=%d against fp32", rows)
                        .isLessThanOrEqualTo(AGAINST_FP32);
                assertThat(Tolerance.maxAbs(expected)).isGreaterThan(0.01);
            }
        }
    }

    @Test
    void shouldMatchTheNaiveExpertWithBiasesAndClampedSwiGlu() {
        // given GPT-OSS's expert: biases on every product and the clamped activation
        ExpertWeights weights = GatedExpertVariantsTest.gptOssWeights(64, 112, GluActivation.clampedSwiGlu(7f), 9);
        try (OneDnnBf16Expert fast = new OneDnnBf16Expert(weights)) {
            for (int rows : new int[] {1, 33, 256}) {
                Matrix x = TestTensors.gaussian(rows, 64, 70L + rows);

                // when
                Matrix actual = fast.forward(x);

                // then
                assertThat(Tolerance.maxRelativeError(actual, NaiveSwiGluExpert.bf16(weights).forward(x)))
                        .as("rows=%d", rows).isLessThanOrEqualTo(BF16_TWIN);
            }
        }
    }

    @Test
    void shouldReturnAnEmptyMatrixForNoRowsAndRejectBadInputAndUseAfterClose() {
        OneDnnBf16Expert fast = new OneDnnBf16Expert(OpenBlasSwiGluExpertTest.weights(8, 16, 1));

        assertThat(fast.forward(Matrix.zeros(0, 8)).rows()).isZero();
        assertThatThrownBy(() -> fast.forward(Matrix.zeros(1, 9)))
                .hasMessage("input has 9 columns, the expert's d_model is 8");
        assertThat(fast.implementation()).doesNotStartWith("ref");
        fast.close();
        fast.close();
        assertThatThrownBy(() -> fast.forward(Matrix.zeros(1, 8))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldBucketRowsToPowersOfTwoThenMultiplesOfSixteen() {
        assertThat(List.of(1, 2, 3, 5, 9, 16, 17, 33, 256).stream().map(OneDnnBf16Expert::bucketOf).toList())
                .containsExactly(1, 2, 4, 8, 16, 16, 32, 48, 256);
    }

    @Test
    void shouldRejectWeightsOfMismatchedShapes() {
        ExpertWeights bad = new ExpertWeights(Matrix.zeros(16, 8), Matrix.zeros(8, 15), Matrix.zeros(16, 8),
                Optional.empty(), GluActivation.SILU_GLU);

        assertThatThrownBy(() -> new OneDnnBf16Expert(bad)).hasMessageContaining("expert weights disagree");
    }
}
