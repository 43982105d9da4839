package io.moestream.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.config.ServiceKeys;
import io.smallrye.config.ConfigMappings;
import org.junit.jupiter.api.Test;

/** The gateway's keys as others write them ({@link ServiceKeys}). */
class GatewayConfigKeysTest {

    @Test
    void shouldMapEveryKeyTheStackAndTheCliWriteTheGatewayWith() {
        // the gateway's tests do not depend on test-support, whose MappedKeys the other services use
        var mapped = ConfigMappings.getProperties(new ConfigMappings.ConfigClass(GatewayConfig.class, "moe")).keySet();

        assertThat(mapped).containsAll(ServiceKeys.SHARED).containsAll(ServiceKeys.GATEWAY);
    }
}
