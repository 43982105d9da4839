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
 * The replay of a recorded burst keeps its inter-arrival times, on the real clock. Tolerance: every record leaves
 * no earlier than 2 ms before its due time ({@code (t_i - t_0) / speed} after the first) and at most
 * {@value #LATE_MS} ms after it, so every gap is kept within {@value #LATE_MS} ms; generous for a loaded 2-core
 * machine, yet a replay that ignored pacing would send this 1-second schedule in a few milliseconds and fail.
 */
class PacingTest {
    static final long LATE_MS = 60;
    // a recorded burst (ms): five at once, a few close together, long pauses, a second burst
    static final long[] RECORDED = {0, 0, 0, 0, 0, 200, 210, 220, 600, 600, 605, 1000, 1400, 1401, 1402, 1800, 2000};

    @Test
    void shouldKeepTheRecordedGapsDividedByTheSpeed() throws Exception {
        // given the classes of the send path loaded (their one-off loading would delay the first send only)
        replay("max");

        // when the burst is replayed at speed 2
        List<Long> sentNanos = replay("2");

        // then each record leaves at (t_i - t_0) / 2 after the first, within the tolerance
        long first = sentNanos.get(0);
        for (int i = 0; i < RECORDED.length; i++) {
            double dueMs = RECORDED[i] / 2.0;
            double sentMs = (sentNanos.get(i) - first) / 1e6;
            assertThat(sentMs).as("record %d, due at %.1f ms", i, dueMs).isBetween(dueMs - 2, dueMs + LATE_MS);
        }
    }

    @Test
    void shouldSendAtOnceAtMaxSpeed() throws Exception {
        List<Long> sentNanos = replay("max");
        double spanMs = (sentNanos.get(sentNanos.size() - 1) - sentNanos.get(0)) / 1e6;
        assertThat(spanMs).isLessThan(RECORDED[RECORDED.length - 1] / 10.0);
    }

    private static List<Long> replay(String speed) throws InterruptedException {
        List<ReplayRecord> burst = new ArrayList<>();
        long base = 1_763_900_000_000L;
        for (int i = 0; i < RECORDED.length; i++) {
            burst.add(new ReplayRecord("moe.tokens", 0, i, base + RECORDED[i], null,
                    List.of(new RecordHeader(Topics.REPLY_TO_HEADER, Topics.DEFAULT.replies("gw").getBytes(UTF_8))),
                    new byte[16]));
        }
        ClockSink sink = new ClockSink();
        Replayer replayer = new Replayer(new TopicMapping(Topics.DEFAULT, new Topics("shadow.")),
                new HeaderRewrite(Topics.DEFAULT, new Topics("shadow."), Set.of()), Pacer.parse(speed));
        replayer.replay(burst, sink, new ReplayProgress(new PrintWriter(new StringWriter()), burst.size()));
        assertThat(sink.topics).containsOnly("shadow.moe.tokens");
        return sink.sentNanos;
    }

    /** Notes when each record is handed over. */
    static final class ClockSink implements ReplaySink {
        final List<Long> sentNanos = new ArrayList<>();
        final List<String> topics = new ArrayList<>();

        @Override
        public void send(String topic, ReplayRecord record, List<Header> headers) {
            sentNanos.add(System.nanoTime());
            topics.add(topic);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
