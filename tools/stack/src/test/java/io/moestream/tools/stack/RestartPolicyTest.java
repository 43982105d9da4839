package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    private static final long SECOND = 1_000_000_000L;
    private final RestartPolicy policy = new RestartPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(2));

    @Test
    void firstRestartIsImmediateThenTheBackoffDoublesUpToItsCap() {
        RestartPolicy.History history = policy.history();
        assertThat(history.onExit("expert-0", 0)).isEqualTo(new RestartPolicy.Decision(true, 1, Duration.ZERO));
        assertThat(history.onExit("expert-0", SECOND)).isEqualTo(new RestartPolicy.Decision(true, 2, Duration.ofSeconds(1)));
        assertThat(history.onExit("expert-0", 2 * SECOND)).isEqualTo(new RestartPolicy.Decision(true, 3, Duration.ofSeconds(2)));
    }

    @Test
    void anExitPastTheLimitWithinTheWindowIsACrashLoop() {
        RestartPolicy.History history = policy.history();
        for (int i = 0; i < 3; i++) {
            assertThat(history.onExit("router", i * SECOND).restart()).isTrue();
        }
        assertThat(history.onExit("router", 4 * SECOND)).isEqualTo(new RestartPolicy.Decision(false, 3, Duration.ZERO));
        // another process has its own count
        assertThat(history.onExit("gateway", 4 * SECOND).restart()).isTrue();
    }

    @Test
    void restartsOlderThanTheWindowNoLongerCount() {
        RestartPolicy.History history = policy.history();
        for (int i = 0; i < 3; i++) {
            history.onExit("expert-1", i * SECOND);
        }
        long later = 2 * SECOND + Duration.ofMinutes(10).toNanos() + 1;
        assertThat(history.onExit("expert-1", later)).isEqualTo(new RestartPolicy.Decision(true, 1, Duration.ZERO));
    }

    @Test
    void logLinesCountRestartsInEnglish() {
        assertThat(Supervisor.ordinal(1)).isEqualTo("1st");
        assertThat(Supervisor.ordinal(2)).isEqualTo("2nd");
        assertThat(Supervisor.ordinal(3)).isEqualTo("3rd");
        assertThat(Supervisor.ordinal(11)).isEqualTo("11th");
        assertThat(Supervisor.ordinal(22)).isEqualTo("22nd");
        assertThat(RestartPolicy.DEFAULT.windowText()).isEqualTo("10 min");
    }
}
