package io.moestream.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTest {

    @Test
    void shouldGroupRowsByExpertAscending() {
        // given: 3 rows, top-2
        Routing routing = new Routing(3, 2,
                new int[] {4, 1, 1, 0, 4, 0},
                new float[] {0.6f, 0.4f, 0.7f, 0.3f, 0.5f, 0.5f});

        // when
        List<ExpertAssignment> byExpert = routing.byExpert();

        // then
        assertThat(byExpert).extracting(ExpertAssignment::expert).containsExactly(0, 1, 4);
        assertThat(byExpert.get(0).rowIndex()).containsExactly(1, 2);
        assertThat(byExpert.get(0).gateWeights()).containsExactly(0.3f, 0.5f);
        assertThat(byExpert.get(1).rowIndex()).containsExactly(0, 1);
        assertThat(byExpert.get(1).gateWeights()).containsExactly(0.4f, 0.7f);
        assertThat(byExpert.get(2).rowIndex()).containsExactly(0, 2);
        assertThat(byExpert.get(2).gateWeights()).containsExactly(0.6f, 0.5f);
    }

    @Test
    void shouldHaveNoAssignmentsForNoRows() {
        assertThat(new Routing(0, 2, new int[0], new float[0]).byExpert()).isEmpty();
    }

    @Test
    void shouldRejectArraysOfTheWrongLength() {
        assertThatThrownBy(() -> new Routing(2, 2, new int[3], new float[4]))
                .hasMessageContaining("needs 4 experts and weights, got 3 and 4");
    }
}
