package io.moestream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void shouldSummarizeNanosecondDurationsInMicroseconds() {
        // given: 1 ms to 100 ms in steps of 1 ms
        Histogram micros = LatencySummary.newHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            LatencySummary.record(micros, ms * 1_000_000L);
        }

        // when
        LatencySummary summary = LatencySummary.of(micros);

        // then: three significant digits, so within 0.1%
        assertThat(summary.samples()).isEqualTo(100);
        assertThat(summary.p50Micros()).isCloseTo(50_000, within(50.0));
        assertThat(summary.p99Micros()).isCloseTo(99_000, within(99.0));
        assertThat(summary.maxMicros()).isCloseTo(100_000, within(100.0));
        assertThat(summary.meanMicros()).isCloseTo(50_500, within(100.0));
    }

    @Test
    void shouldCountADurationBelowOneMicrosecondAsOne() {
        Histogram micros = LatencySummary.newHistogram();

        LatencySummary.record(micros, 300);

        assertThat(LatencySummary.of(micros).maxMicros()).isEqualTo(1);
    }
}
