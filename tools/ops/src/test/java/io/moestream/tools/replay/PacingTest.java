package io.moestream.tools.replay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * The replay of a recorded burst keeps its inter-arrival times divided by the speed, on a manual clock (so the
 * check is exact and independent of the machine's load): record i leaves {@code (t_i - t_0) / speed} after the first.
 */
class PacingTest {
    // a recorded burst (ms): five at once, a few close together, long pauses, a second burst
    static final long[] RECORDED = {0, 0, 0, 0, 0, 200, 210, 220, 600, 600, 605, 1000, 1400, 1401, 1402, 1800, 2000};

    @Test
    void shouldKeepTheRecordedGapsDividedByTheSpeed() throws Exception {
        // when the burst is replayed at speed 2
        List<Long> sentNanos = replay("2", new ManualClock(), 0);

        // then each record leaves at (t_i - t_0) / 2 after the first
        for (int i = 0; i < RECORDED.length; i++) {
            assertThat(sentNanos.get(i) - sentNanos.get(0)).as("record %d", i).isEqualTo(RECORDED[i] * 1_000_000L / 2);
        }
    }

    @Test
    void shouldNotLetASlowSendShiftTheRecordsAfterIt() throws Exception {
        // when every send takes 30 ms, longer than some recorded gaps
        List<Long> sentNanos = replay("1", new ManualClock(), 30_000_000L);

        // then each record leaves at its due time, or as soon as the send before it is done: lateness never carries
        // past a gap long enough to absorb it
        long previousDone = 0;
        for (int i = 0; i < RECORDED.length; i++) {
            long expected = Math.max(RECORDED[i] * 1_000_000L, previousDone);
            assertThat(sentNanos.get(i) - sentNanos.get(0)).as("record %d", i).isEqualTo(expected);
            previousDone = expected + 30_000_000L;
        }
        assertThat(sentNanos.get(RECORDED.length - 1) - sentNanos.get(0)).isEqualTo(2000 * 1_000_000L);
    }

    @Test
    void shouldSendAtOnceAtMaxSpeed() throws Exception {
        List<Long> sentNanos = replay("max", new ManualClock(), 0);
        assertThat(sentNanos).allMatch(sent -> sent == 0L);
    }

    private static List<Long> replay(String speed, ManualClock clock, long nanosPerSend) throws InterruptedException {
        List<ReplayRecord> burst = new ArrayList<>();
        long base = 1_763_900_000_000L;
        for (int i = 0; i < RECORDED.length; i++) {
            burst.add(new ReplayRecord("moe.tokens", 0, i, base + RECORDED[i], null,
                    List.of(new RecordHeader(Topics.REPLY_TO_HEADER, Topics.DEFAULT.replies("gw").getBytes(UTF_8))),
                    new byte[16]));
        }
        ClockSink sink = new ClockSink(clock, nanosPerSend);
        Replayer replayer = new Replayer(new TopicMapping(Topics.DEFAULT, new Topics("shadow.")),
                new HeaderRewrite(Topics.DEFAULT, new Topics("shadow."), Set.of()), Pacer.parse(speed, clock));
        replayer.replay(burst, sink, new ReplayProgress(new PrintWriter(new StringWriter()), burst.size()));
        assertThat(sink.topics).containsOnly("shadow.moe.tokens");
        return sink.sentNanos;
    }

    /** A clock that moves only when the pacer sleeps or a send takes time. */
    static final class ManualClock implements Pacer.Clock {
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            now += nanos;
        }
    }

    /** Notes when each record is handed over; each send takes {@code nanosPerSend} on the clock. */
    static final class ClockSink implements ReplaySink {
        final List<Long> sentNanos = new ArrayList<>();
        final List<String> topics = new ArrayList<>();
        private final ManualClock clock;
        private final long nanosPerSend;

        ClockSink(ManualClock clock, long nanosPerSend) {
            this.clock = clock;
            this.nanosPerSend = nanosPerSend;
        }

        @Override
        public void send(String topic, ReplayRecord record, List<Header> headers) {
            sentNanos.add(clock.now);
            topics.add(topic);
            clock.now += nanosPerSend;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
