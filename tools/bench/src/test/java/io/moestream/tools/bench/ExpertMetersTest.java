package io.moestream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpertMetersTest {
    private static final String PAGE = """
            # TYPE moe_expert_stage_seconds summary
            moe_expert_stage_seconds_count{expert="0",layer="0",stage="kernel"} 4.0
            moe_expert_stage_seconds_sum{expert="0",layer="0",stage="kernel"} 0.2
            moe_expert_stage_seconds_count{expert="1",layer="0",stage="kernel"} 6.0
            moe_expert_stage_seconds_sum{expert="1",layer="0",stage="kernel"} 0.3
            moe_expert_stage_seconds_max{expert="1",layer="0",stage="kernel"} 0.09
            moe_expert_stage_seconds_count{expert="1",layer="0",stage="fetch"} 6.0
            moe_expert_stage_seconds_sum{expert="1",layer="0",stage="fetch"} 0.06
            moe_expert_processing_seconds_sum{expert="1",layer="0"} 9.0
            moe_expert_batch_rows_count{expert="0",layer="0"} 4.0
            moe_expert_batch_rows_sum{expert="0",layer="0"} 512.0
            moe_expert_batch_rows_count{expert="1",layer="0"} 4.0
            moe_expert_batch_rows_sum{expert="1",layer="0"} 256.0
            moe_expert_batch_rows_max{expert="1",layer="0"} 64.0
            """;

    @Test
    void shouldAddEveryExpertsStageSeriesAndAverageTheDifferencePerWindow() {
        // given: a snapshot before (nothing yet) and one after
        Map<String, double[]> before = new HashMap<>();
        Map<String, double[]> after = new HashMap<>();
        ExpertMeters.addSeries(PAGE, after);

        // when
        Map<String, Double> means = ExpertMeters.meanMillis(before, after);

        // then: 0.5 s over 10 windows, 0.06 s over 6; 768 rows in 8 kernel calls; max and other metrics are not summed
        assertThat(means).containsOnlyKeys("kernel", "fetch");
        assertThat(means.get("kernel")).isCloseTo(50.0, within(1e-9));
        assertThat(means.get("fetch")).isCloseTo(10.0, within(1e-9));
        assertThat(ExpertMeters.meanBatchRows(before, after)).isCloseTo(96.0, within(1e-9));
    }

    @Test
    void shouldLeaveOutAStageWithNoNewWindows() {
        Map<String, double[]> snapshot = new HashMap<>();
        ExpertMeters.addSeries(PAGE, snapshot);

        assertThat(ExpertMeters.meanMillis(snapshot, snapshot)).isEmpty();
        assertThat(ExpertMeters.meanBatchRows(snapshot, snapshot)).isZero();
    }
}
