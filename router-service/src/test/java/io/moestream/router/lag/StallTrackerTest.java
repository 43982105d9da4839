package io.moestream.router.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.proto.v1.LoadAlert;
import org.junit.jupiter.api.Test;

class StallTrackerTest {
    private final StallTracker tracker = new StallTracker();

    @Test
    void shouldOpenWhenLagSitsStillAndResolveWhenTheExpertMoves() {
        // first sight: nothing to compare with
        assertThat(tracker.next(new ExpertLag(0, 1, 10, 5, 2000), 1000)).isEmpty();
        // same committed offsets, still lag: stalled
        assertThat(tracker.next(new ExpertLag(0, 1, 10, 7, 4000), 2000)).hasValueSatisfying(open -> {
            assertThat(open.getState()).isEqualTo(LoadAlert.State.OPEN);
            assertThat(open.getLagRecords()).isEqualTo(7);
            assertThat(open.getOldestTaskAgeMs()).isEqualTo(4000);
            assertThat(open.getMessage()).isEqualTo(
                    "expert L0.e1 stalled: 7 tasks waiting, the oldest 4000 ms old, no commit since the previous check");
        });
        // still stalled: no second record
        assertThat(tracker.next(new ExpertLag(0, 1, 10, 9, 6000), 3000)).isEmpty();
        // committed moved: resolved
        assertThat(tracker.next(new ExpertLag(0, 1, 15, 4, 500), 4000))
                .hasValueSatisfying(resolved -> assertThat(resolved.getState()).isEqualTo(LoadAlert.State.RESOLVED));
        assertThat(StallTracker.key(0, 1)).isEqualTo("EXPERT_STALLED/L0.e1");
    }

    @Test
    void shouldNeverCallAnIdleExpertStalled() {
        tracker.next(new ExpertLag(2, 0, 10, 0, 0), 1000);
        assertThat(tracker.next(new ExpertLag(2, 0, 10, 0, 0), 2000)).isEmpty();
    }
}
