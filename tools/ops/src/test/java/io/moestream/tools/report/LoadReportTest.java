package io.moestream.tools.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moestream.proto.v1.ExpertLoad;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadReportTest {
    private static final ReportSettings SETTINGS = new ReportSettings(0.05, 0.8, 8, 2);

    @Test
    void shouldTotalTheWindowsAndPlanReplicasForTheHotExpert() {
        // given 3 windows of layer 0: expert 0 takes 60 of 100 assignments, expert 3 only 1
        List<ExpertLoad> windows = List.of(window(0, 0.4, 20, 7, 6, 1), window(1, 0.5, 20, 7, 6, 0),
                window(2, 0.3, 20, 6, 7, 0));

        // when
        List<LayerReport> reports = LoadReport.build(windows, SETTINGS);

        // then
        LayerReport layer = reports.get(0);
        assertThat(reports).hasSize(1);
        assertThat(layer.windows()).isEqualTo(3);
        assertThat(layer.experts()).extracting(LayerReport.ExpertRow::tokens).containsExactly(60L, 20L, 19L, 1L);
        assertThat(layer.experts().get(0).share()).isCloseTo(60 / 100.0, within(1e-12));
        assertThat(layer.experts().get(0).meanGateWeight()).isCloseTo(0.5, within(1e-12));
        assertThat(layer.balancedness()).isCloseTo(25 / 60.0, within(1e-12));
        assertThat(layer.pruneCandidates()).containsExactly(3);
        // 3 replicas of expert 0 carry 20 each: mean 100/6, max 20 -> 0.833
        assertThat(layer.replicas().perExpert()).containsExactly(3, 1, 1, 1);
        assertThat(layer.replicas().toAdd()).containsExactly(0);
        assertThat(layer.replicas().balancedness()).isCloseTo(100 / 6.0 / 20, within(1e-12));
        // 3 windows in at most 2 buckets: 2 + 1
        assertThat(layer.overTime()).extracting(LayerReport.TimeBucket::windows).containsExactly(2, 1);
        assertThat(layer.overTime().get(0).meanBalancedness()).isCloseTo(0.45, within(1e-12));
        assertThat(layer.overTime().get(0).minBalancedness()).isEqualTo(0.4);
    }

    private static ExpertLoad window(int index, double balancedness, long... tokens) {
        ExpertLoad.Builder load = ExpertLoad.newBuilder().setLayer(0).setChunks(1).setRows(50)
                .setWindowStartMs(index * 1000L).setWindowEndMs(index * 1000L + 1000).setBalancedness(balancedness);
        for (long t : tokens) {
            load.addExpertTokens(t).addExpertGateWeight(t * 0.5).addExpertProbability(t);
        }
        return load.build();
    }
}
