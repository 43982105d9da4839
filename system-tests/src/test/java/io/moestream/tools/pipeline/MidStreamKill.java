package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import java.time.Duration;

/**
 * The recovery measurement of the fault tests: one stream through the gateway, a kill once it is well under way, and
 * how the stream came through it ({@link Recovery}), against the same stream without a fault.
 */
final class MidStreamKill {
    /** Results the stream has before the kill: it is well under way. */
    static final int RESULTS_BEFORE_KILL = 150;
    static final Duration STREAM_WAIT = Duration.ofMinutes(4);

    /** The kill; returns nothing, throws what a kill may. */
    interface Kill {
        void run() throws Exception;
    }

    /** The stream's ending and its recovery. */
    record Outcome(StreamProbe.Ending ending, Recovery recovery, int chunks) {
        String line(String scenario) {
            return recovery.line(scenario, chunks, chunks - ending.results().size());
        }

        /** The stream ended OK, every chunk answered once and in order, the outputs equal to the reference layer. */
        void assertAllAnsweredOnce(Matrix x, ReferenceMoeLayer reference) {
            assertThat(ending.status().isOk()).as(ending.status().toString()).isTrue();
            Matrix y = StreamProbe.answeredRows(ending, x.cols());
            assertThat(y.rows()).as("rows answered").isEqualTo(x.rows());
            assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
        }
    }

    private MidStreamKill() {
    }

    /**
     * Seconds a stream of {@code x} takes with nothing killed, the baseline of the throughput lost: the second of two
     * such streams, so that the first warms the services' JIT as the streams before a kill have.
     */
    static double faultFreeSeconds(String gateway, Matrix x, int chunkRows) throws Exception {
        double seconds = 0;
        for (int run = 0; run < 2; run++) {
            long start = System.nanoTime();
            try (StreamProbe stream = StreamProbe.start(gateway, "fault-free-" + run, x, chunkRows)) {
                StreamProbe.Ending ending = stream.awaitEnd(STREAM_WAIT);
                assertThat(ending.status().isOk()).as(ending.status().toString()).isTrue();
                seconds = (ending.endNanos() - start) / 1e9;
            }
        }
        System.out.printf("fault-free stream of %d chunks: %.1f s%n", (x.rows() + chunkRows - 1) / chunkRows, seconds);
        return seconds;
    }

    static Outcome run(String gateway, String requestId, Matrix x, int chunkRows, double baselineSeconds, Kill kill)
            throws Exception {
        long start = System.nanoTime();
        try (StreamProbe stream = StreamProbe.start(gateway, requestId, x, chunkRows)) {
            assertThat(stream.awaitResults(RESULTS_BEFORE_KILL, STREAM_WAIT)).as("stream under way before the kill").isTrue();
            long killed = System.nanoTime();
            kill.run();
            StreamProbe.Ending ending = stream.awaitEnd(STREAM_WAIT);
            return new Outcome(ending, Recovery.of(stream.arrivalNanos(), start, killed, ending.endNanos(),
                    baselineSeconds), stream.chunkCount());
        }
    }
}
