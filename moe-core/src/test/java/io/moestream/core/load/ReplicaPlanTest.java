package io.moestream.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicaPlanTest {

    @Test
    void shouldSplitTheHotExpertUntilTheTargetIsReached() {
        // given: expert 0 carries 4x the others (balancedness (70/4)/40 = 0.4375)
        long[] load = {40, 10, 10, 10};

        // when
        ReplicaPlan plan = ReplicaPlan.plan(load, 0.9, 8);

        // then: 4 replicas of expert 0 carry 10 each: 7 replicas, mean 10, max 10
        assertThat(plan.replicas()).containsExactly(4, 1, 1, 1);
        assertThat(plan.balancedness()).isEqualTo(1.0);
    }

    @Test
    void shouldStopAtTheReplicaBudget() {
        ReplicaPlan plan = ReplicaPlan.plan(new long[] {40, 10, 10, 10}, 0.9, 1);

        // 2 replicas of expert 0 carry 20: mean 70/5 = 14, max 20
        assertThat(plan.replicas()).containsExactly(2, 1, 1, 1);
        assertThat(plan.balancedness()).isEqualTo(0.7);
    }

    @Test
    void shouldAddNothingToABalancedLayer() {
        assertThat(ReplicaPlan.plan(new long[] {10, 10, 9}, 0.9, 5).replicas()).containsExactly(1, 1, 1);
    }

    @Test
    void shouldRefuseATargetOutsideZeroToOne() {
        assertThatThrownBy(() -> ReplicaPlan.plan(new long[] {1}, 1.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target balancedness must be in (0, 1], got 1.5");
    }
}
