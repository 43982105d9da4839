package io.moestream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limits are measured twice, before and after the pipeline; each ratio takes the faster measurement. */
class RepeatedLimitsTest {

    @Test
    void shouldTakeTheFasterSgemmAndTheFasterKernelPerSize() {
        // given: the first run slowed at 64 rows, the second at 256
        List<KernelLimits.Point> first = List.of(new KernelLimits.Point(64, 10, 9, 400),
                new KernelLimits.Point(256, 200, 180, 8000));
        List<KernelLimits.Point> second = List.of(new KernelLimits.Point(64, 150, 140, 6000),
                new KernelLimits.Point(256, 120, 190, 8500));

        // when
        List<KernelLimits.Point> faster = KernelLimits.fasterOf(first, second);

        // then
        assertThat(faster).containsExactly(new KernelLimits.Point(64, 150, 140, 6000),
                new KernelLimits.Point(256, 200, 190, 8500));
    }

    @Test
    void shouldTakeTheFasterReferenceAndKeepTheChunkTimesOfTheFasterChunkedRun() {
        // given
        Matrix output = Matrix.zeros(1, 1);
        ReferenceLimit.Result loaded = new ReferenceLimit.Result(1500, 150, BenchFigures.latencyMillis(900, 1200), output);
        ReferenceLimit.Result quiet = new ReferenceLimit.Result(4000, 1500, BenchFigures.latencyMillis(80, 110), output);

        // when
        ReferenceLimit.Result faster = loaded.fasterOf(quiet);

        // then
        assertThat(faster.wholeTokensPerSecond()).isEqualTo(4000);
        assertThat(faster.chunkedTokensPerSecond()).isEqualTo(1500);
        assertThat(faster.chunkCompute()).isEqualTo(quiet.chunkCompute());
        assertThat(quiet.fasterOf(loaded).wholeTokensPerSecond()).isEqualTo(4000);
    }

    @Test
    void shouldTakeThePipelinesRatioToTheGivenReference() {
        BenchReport.Pipeline pipeline = BenchFigures.pipeline().againstReference(3540);

        assertThat(pipeline.ratioToReference()).isEqualTo(0.5);
        assertThat(pipeline.tokensPerSecond()).isEqualTo(1770);
    }
}
