package io.moestream.expert.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.config.ServiceKeys;
import io.moestream.testsupport.MappedKeys;
import org.junit.jupiter.api.Test;

/** The expert service's keys as others write them ({@link ServiceKeys}). */
class ExpertConfigKeysTest {

    @Test
    void shouldMapEveryKeyTheStackAndTheCliWriteTheExpertServiceWith() {
        assertThat(MappedKeys.of(ExpertConfig.class)).containsAll(ServiceKeys.SHARED).containsAll(ServiceKeys.EXPERT);
    }
}
