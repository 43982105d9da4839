package io.moestream.core.topics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamRequestIdsTest {

    @Test
    void shouldGiveEachStreamOfOneClientIdItsOwnTopicIdThatLeadsBackToTheClientId() {
        String first = StreamRequestIds.newFor("req~7");
        String second = StreamRequestIds.newFor("req~7");

        assertThat(first).isNotEqualTo(second).startsWith("req~7~");
        assertThat(StreamRequestIds.clientPart(first)).isEqualTo("req~7");
        assertThat(StreamRequestIds.clientPart(second)).isEqualTo("req~7");
        assertThat(StreamRequestIds.clientPart("plain")).isEqualTo("plain");
    }
}
