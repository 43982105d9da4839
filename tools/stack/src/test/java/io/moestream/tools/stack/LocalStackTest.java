package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalStackTest {

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
}
