package io.moestream.router.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImbalanceTrackerTest {
    private final ImbalanceTracker tracker = new ImbalanceTracker(new LoadSettings(Duration.ofSeconds(1), 0.5, 2));

    @Test
    void shouldOpenAfterTheConfiguredRunAndResolveOnTheFirstBalancedWindow() {
        // given: skewed, balanced (run broken), skewed, skewed (opens), skewed (stays open), balanced (resolves)
        List<ExpertLoad> windows = List.of(skewed(1), balanced(2), skewed(3), skewed(4), skewed(5), balanced(6));

        // when
        LoadAlert state = null;
        List<Optional<LoadAlert>> alerts = new java.util.ArrayList<>();
        for (ExpertLoad window : windows) {
            ImbalanceTracker.Step step = tracker.next(state, window);
            state = step.state();
            alerts.add(step.alert());
        }

        // then
        assertThat(alerts.get(0)).isEmpty();
        assertThat(alerts.get(1)).isEmpty();
        assertThat(alerts.get(2)).isEmpty();
        assertThat(alerts.get(3)).hasValueSatisfying(open -> {
            assertThat(open.getState()).isEqualTo(LoadAlert.State.OPEN);
            assertThat(open.getAtMs()).isEqualTo(4000);
            assertThat(open.getWindows()).isEqualTo(2);
            assertThat(open.getHotExpertsList()).containsExactly(0);
            assertThat(open.getColdExpertsList()).containsExactly(3, 2);
            assertThat(open.getMessage()).isEqualTo(
                    "layer 1: balancedness 0.400 under 0.500 for 2 consecutive windows; hot experts [0], cold experts [3, 2]");
        });
        assertThat(alerts.get(4)).isEmpty();
        assertThat(alerts.get(5)).hasValueSatisfying(resolved -> {
            assertThat(resolved.getState()).isEqualTo(LoadAlert.State.RESOLVED);
            assertThat(resolved.getAtMs()).isEqualTo(6000);
            assertThat(resolved.getBalancedness()).isEqualTo(1.0);
        });
        assertThat(ImbalanceTracker.key(1)).isEqualTo("IMBALANCE/L1");
    }

    /** loads 25/10/3/2: mean 10, max 25, balancedness 0.4. */
    private static ExpertLoad skewed(long window) {
        return window(window, 25, 10, 3, 2).toBuilder().setBalancedness(0.4).build();
    }

    private static ExpertLoad balanced(long window) {
        return window(window, 10, 10, 10, 10).toBuilder().setBalancedness(1.0).build();
    }

    private static ExpertLoad window(long window, long... tokens) {
        ExpertLoad.Builder load = ExpertLoad.newBuilder().setLayer(1).setWindowStartMs((window - 1) * 1000)
                .setWindowEndMs(window * 1000);
        for (long t : tokens) {
            load.addExpertTokens(t);
        }
        return load.build();
    }
}
