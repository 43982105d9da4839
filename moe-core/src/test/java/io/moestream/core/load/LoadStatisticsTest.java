package io.moestream.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moestream.core.routing.ExpertAssignment;
import io.moestream.core.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadStatisticsTest {

    @Test
    void shouldRateAnEvenLoadAsPerfectlyBalanced() {
        LoadStatistics stats = LoadStatistics.of(new long[] {10, 10, 10, 10}, new double[] {5, 5, 5, 5}, 20);

        assertThat(stats.balancedness()).isEqualTo(1.0);
        assertThat(stats.maxOverMean()).isEqualTo(1.0);
        assertThat(stats.coefficientOfVariation()).isEqualTo(0.0);
        assertThat(stats.switchAux()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void shouldWorkOutTheMeasuresOfASkewedLoadByHand() {
        // given: 4 experts, loads 40/20/20/0 (mean 20, max 40); 40 rows, all probability on expert 0
        long[] tokens = {40, 20, 20, 0};
        double[] probability = {40, 0, 0, 0};

        // when
        LoadStatistics stats = LoadStatistics.of(tokens, probability, 40);

        // then: sd = sqrt((400 + 0 + 0 + 400) / 4) = sqrt(200); aux = 4 * (0.5 * 1.0)
        assertThat(stats.balancedness()).isEqualTo(0.5);
        assertThat(stats.maxOverMean()).isEqualTo(2.0);
        assertThat(stats.coefficientOfVariation()).isCloseTo(Math.sqrt(200) / 20, within(1e-12));
        assertThat(stats.switchAux()).isCloseTo(2.0, within(1e-12));
        assertThat(LoadStatistics.hot(tokens)).containsExactly(0);
        assertThat(LoadStatistics.cold(tokens)).containsExactly(3);
    }

    @Test
    void shouldReportNothingForAnIdleWindow() {
        assertThat(LoadStatistics.of(new long[4], new double[4], 0)).isEqualTo(new LoadStatistics(0, 0, 0, 0));
    }

    @Test
    void shouldCountAChunksRowsGateWeightsAndSoftmaxProbabilityPerExpert() {
        // given: 2 rows over 3 experts; row 0 logits equal (1/3 each), row 1 logits {ln 2, 0, 0} (1/2, 1/4, 1/4)
        Matrix logits = new Matrix(2, 3, new float[] {0, 0, 0, (float) Math.log(2), 0, 0});
        List<ExpertAssignment> assignments = List.of(
                new ExpertAssignment(0, new int[] {0, 1}, new float[] {0.5f, 0.75f}),
                new ExpertAssignment(2, new int[] {0}, new float[] {0.5f}),
                new ExpertAssignment(3, new int[] {0, 1}, new float[] {1f, 1f})); // the shared expert: not counted

        // when
        ChunkLoad load = ChunkLoad.of(1, logits, assignments);

        // then
        assertThat(load.rows()).isEqualTo(2);
        assertThat(load.tokens()).containsExactly(2, 0, 1);
        assertThat(load.gateWeight()).containsExactly(new double[] {1.25, 0, 0.5}, within(1e-6));
        assertThat(load.probability()).containsExactly(new double[] {1.0 / 3 + 0.5, 1.0 / 3 + 0.25, 1.0 / 3 + 0.25},
                within(1e-6));
    }
}
