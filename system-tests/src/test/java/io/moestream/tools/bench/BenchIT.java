package io.moestream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.proto.v1.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code moe bench} end to end on a tiny model: every item is measured on a real stack and the report holds them.
 * Its figures are not checked against targets (that is the bench's own job on a quiet machine); what is checked is
 * that each measurement ran and read what it claims, e.g. that the round trip's stages were found on the topics.
 */
class BenchIT {

    @Test
    @Timeout(300)
    void shouldMeasureEveryItemOnATinyModelWithBf16Chunks(@TempDir Path modelDir) throws Exception {
        // given: a small layer, a short run, and a client sending bf16 chunks (tasks and results follow in kind)
        BenchSpec spec = new BenchSpec(32, 64, 4, 2, 256, 16, 2, 20, new int[] {16}, Duration.ZERO, 7, DType.BF16);
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        // when
        BenchReport report = new BenchRun(spec, Map.of(), null, new PrintStream(log, true, StandardCharsets.UTF_8))
                .run(modelDir);

        // then: the pipeline computed the layer, within bf16's rounding of the results and the output
        BenchReport.Pipeline pipeline = report.pipeline();
        assertThat(pipeline.tokensPerSecond()).isPositive();
        assertThat(pipeline.maxRelError()).isGreaterThan(0).isLessThan(2e-2);
        assertThat(pipeline.throughputBatchRows()).isPositive();
        assertThat(pipeline.roundTrip().samples()).isEqualTo(20);
        // every stage of every timed chunk was read from the broker's append times, and the experts' timers moved
        assertThat(pipeline.roundTripStages()).hasSize(4)
                .allSatisfy((stage, times) -> assertThat(times.samples()).as(stage).isEqualTo(20));
        assertThat(pipeline.expertStageMeanMillis()).containsOnlyKeys("fetch", "gather", "kernel", "publish");
        assertThat(pipeline.expertStageMeanMillis().get("kernel")).isPositive();
        assertThat(report.kafkaHop().latency().samples()).isEqualTo(20);
        assertThat(report.processes()).extracting(BenchReport.ProcessFigures::name)
                .contains("kafka", "router", "expert-0", "gateway", "(other processes)", "(stolen by the host)");

        // and the table and the JSON are written from it
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        ReportTable.print(report, new PrintStream(table, true, StandardCharsets.UTF_8));
        System.out.println(table.toString(StandardCharsets.UTF_8));
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("experts' own timers, mean per window:", "in BF16 chunks");
        Path json = modelDir.resolve("bench.json");
        report.writeJson(json);
        assertThat(Files.readString(json)).contains("\"expert_stage_mean_millis\"");
    }
}
