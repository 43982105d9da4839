package io.moestream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {

    private final List<Targets.Check> checks = Targets.check(BenchFigures.kernel(), BenchFigures.reference(),
            BenchFigures.hop(), BenchFigures.pipeline());

    @Test
    void shouldJudgeTheKernelByItsWorstRatioAtSixtyFourRowsAndMore() {
        Targets.Check kernel = checks.get(0);

        assertThat(kernel.measured()).isCloseTo(172.0 / 200, offset(1e-12));
        assertThat(kernel.bound()).isEqualTo(0.85);
        assertThat(kernel.met()).isTrue();
    }

    @Test
    void shouldFailThePipelineJustBelowSixtyPercentOfTheReference() {
        Targets.Check pipeline = checks.get(1);

        assertThat(pipeline.measured()).isEqualTo(0.59);
        assertThat(pipeline.met()).isFalse();
    }

    @Test
    void shouldBoundTheRoundTripByHopsAndCompute() {
        // p50: 3.5 x 10 ms hop + 50 ms compute = 85 ms, met exactly; p99: 4 x 20 ms = 80 ms as written, plus 60 ms
        // compute = 140 ms
        assertThat(checks.subList(2, 5)).extracting(Targets.Check::bound).containsExactly(85.0, 80.0, 140.0);
        assertThat(checks.subList(2, 5)).extracting(Targets.Check::measured).containsExactly(85.0, 100.0, 100.0);
        assertThat(checks.subList(2, 5)).extracting(Targets.Check::met).containsExactly(true, false, true);
    }

    @Test
    void shouldSkipTheKernelTargetWhenNoMicroBatchIsLargeEnough() {
        List<Targets.Check> small = Targets.check(List.of(new KernelLimits.Point(16, 80, 79, 2000)),
                BenchFigures.reference(), BenchFigures.hop(), BenchFigures.pipeline());

        assertThat(small).hasSize(4).noneMatch(check -> check.target().contains("kernel"));
    }
}
