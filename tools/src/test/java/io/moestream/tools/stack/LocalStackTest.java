package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LocalStackTest {

    @Test
    void shouldServeEveryExpertFromOneProcessByDefault() {
        assertThat(LocalStack.expertAssignments(new TreeSet<>(List.of(0, 1)), 4, 1)).containsExactly("all");
    }

    @Test
    void shouldSplitTheExpertsOfAllLayersRoundRobin() {
        assertThat(LocalStack.expertAssignments(new TreeSet<>(List.of(0, 3)), 3, 2))
                .containsExactly("0:0,0:2,3:1", "0:1,3:0,3:2");
    }

    @Test
    void shouldNotStartProcessesThatWouldServeNothing() {
        assertThat(LocalStack.expertAssignments(new TreeSet<>(List.of(0)), 2, 5)).containsExactly("0:0", "0:1");
    }
}
