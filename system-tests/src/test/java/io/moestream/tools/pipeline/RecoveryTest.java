package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryTest {
    private static final long MS = 1_000_000L;

    @Test
    void theLongestPauseAfterTheKillEndsTheRecoveryAndTheExtraStreamTimeIsTheThroughputLost() {
        // a result every 10 ms until the kill at 5 s, none until 8 s, then every 10 ms until 12 s
        List<Long> arrivals = new ArrayList<>();
        for (long t = 10; t <= 5000; t += 10) {
            arrivals.add(t * MS);
        }
        for (long t = 8000; t <= 12000; t += 10) {
            arrivals.add(t * MS);
        }
        Recovery recovery = Recovery.of(arrivals, 0, 5000 * MS + 1, 12000 * MS, 9.0);

        assertThat(recovery.recoveryMillis()).isEqualTo(2999);
        assertThat(recovery.streamSeconds()).isCloseTo(12.0, within(1e-9));
        assertThat(recovery.lostSeconds()).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void resultsStillArrivingRightAfterTheKillDoNotHideTheLaterPause() {
        List<Long> arrivals = List.of(1000 * MS, 2000 * MS, 2100 * MS, 2200 * MS, 6200 * MS, 6300 * MS);

        assertThat(Recovery.of(arrivals, 0, 2050 * MS, 6300 * MS, 5.0).recoveryMillis()).isEqualTo(4150);
    }
}
