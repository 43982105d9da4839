package io.moestream.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.topics.Topics;
import org.junit.jupiter.api.Test;

class ExpertIdTest {

    @Test
    void shouldBeNamedAsItsTaskTopicNamesIt() {
        ExpertId expert = new ExpertId(3, 17);

        assertThat(expert.name()).isEqualTo("L3.e17");
        assertThat(Topics.DEFAULT.expert(3, 17)).isEqualTo("moe." + expert.name());
        assertThat(expert).hasToString("3:17");
    }
}
