package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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
    void shouldGiveModuleQualifiedPropertiesOnlyToTheirModule() {
        Map<String, String> properties = Map.of("kafka.linger.ms", "1", "gateway:moe.gateway.max-in-flight-chunks", "64");

        assertThat(LocalStack.propertiesFor("gateway", properties))
                .containsOnly(Map.entry("kafka.linger.ms", "1"), Map.entry("moe.gateway.max-in-flight-chunks", "64"));
        assertThat(LocalStack.propertiesFor("expert-service", properties))
                .containsOnly(Map.entry("kafka.linger.ms", "1"), Map.entry("moe.blas.threads", "1"));
    }

    @Test
    void shouldLetGivenPropertiesOverrideTheDefaultsAndQualifiedOnesOverrideUnqualified() {
        assertThat(LocalStack.propertiesFor("router-service", Map.of("moe.blas.threads", "2")))
                .containsEntry("moe.blas.threads", "2");
        assertThat(LocalStack.propertiesFor("router-service",
                Map.of("moe.blas.threads", "2", "router-service:moe.blas.threads", "3")))
                .containsEntry("moe.blas.threads", "3");
    }

    @Test
    void shouldNotStartProcessesThatWouldServeNothing() {
        assertThat(LocalStack.expertAssignments(new TreeSet<>(List.of(0)), 2, 5)).containsExactly("0:0", "0:1");
    }
}
