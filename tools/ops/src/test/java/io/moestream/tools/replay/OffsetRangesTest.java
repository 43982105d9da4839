package io.moestream.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.topics.Topics;
import java.time.Instant;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetRangesTest {
    static final TopicPartition TP = new TopicPartition("moe.tokens", 0);
    static final Instant NOW = Instant.parse("2026-11-23T14:00:00Z");

    @Test
    void shouldTakeTheRecordsFromTheFirstAtFromToTheFirstAtTo() {
        assertThat(OffsetRanges.combine(TP, 120, 340, 500)).isEqualTo(new OffsetRange(TP, 120, 340));
    }

    @Test
    void shouldRunToTheEndWhenNoRecordIsAtOrAfterTo() {
        // offsets-for-timestamp answers -1 when every record is older than the time asked for
        assertThat(OffsetRanges.combine(TP, 120, -1, 500)).isEqualTo(new OffsetRange(TP, 120, 500));
    }

    @Test
    void shouldBeEmptyWhenNoRecordIsAtOrAfterFrom() {
        OffsetRange range = OffsetRanges.combine(TP, -1, -1, 500);
        assertThat(range).isEqualTo(new OffsetRange(TP, 500, 500));
        assertThat(range.isEmpty()).isTrue();
    }

    @Test
    void shouldReadExplicitRangesWithTopicNamesFromTopics() {
        assertThat(OffsetRanges.parseExplicit("tokens:0=120-340", new Topics("prod.")))
                .isEqualTo(new OffsetRange(new TopicPartition("prod.moe.tokens", 0), 120, 340));
        assertThat(OffsetRanges.parseExplicit("L1.e3:2=0-50", Topics.DEFAULT))
                .isEqualTo(new OffsetRange(new TopicPartition(Topics.DEFAULT.expert(1, 3), 2), 0, 50));
    }

    @Test
    void shouldNameTheProblemOfBadExplicitRanges() {
        assertThatThrownBy(() -> OffsetRanges.parseExplicit("tokens:0=340-120", Topics.DEFAULT))
                .hasMessageContaining("end before they start");
        assertThatThrownBy(() -> OffsetRanges.parseExplicit("tokens=1-2", Topics.DEFAULT))
                .hasMessageContaining("TOPIC:PARTITION=FROM-TO");
        assertThatThrownBy(() -> OffsetRanges.parseExplicit("replies:0=1-2", Topics.DEFAULT))
                .hasMessageContaining("unknown topic 'replies'");
    }

    @Test
    void shouldReadTimesAsInstantsOrDurationsBeforeNow() {
        assertThat(TimeBound.parse("2026-11-23T13:00:00Z", NOW)).isEqualTo(Instant.parse("2026-11-23T13:00:00Z"));
        assertThat(TimeBound.parse("15m", NOW)).isEqualTo(Instant.parse("2026-11-23T13:45:00Z"));
        assertThat(TimeBound.parse("2h", NOW)).isEqualTo(Instant.parse("2026-11-23T12:00:00Z"));
        assertThat(TimeBound.parse("90s", NOW)).isEqualTo(Instant.parse("2026-11-23T13:58:30Z"));
        assertThat(TimeBound.parse("PT15M", NOW)).isEqualTo(Instant.parse("2026-11-23T13:45:00Z"));
        assertThat(TimeBound.parse("now", NOW)).isEqualTo(NOW);
        assertThatThrownBy(() -> TimeBound.parse("yesterday", NOW)).hasMessageContaining("cannot read the time 'yesterday'");
    }
}
