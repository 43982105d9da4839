package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole path on a real broker: a Kafka cluster in this JVM, the router, expert and gateway services as
 * separate processes from their production jars, and a gRPC client over loopback. The layer output must
 * equal the in-process reference layer for several shapes, expert counts and top-k. The second case's stack is
 * {@link #SHARED} with {@link PipelineContractIT} and {@link WireDtypeIT} ({@link SharedStacks}): of the three classes,
 * failsafe's two test JVMs run at least two in the same JVM, which then start it once.
 */
@ExtendWith(SharedStacks.class)
class PipelineIT {
    static final double MAX_REL_ERROR = 1e-4;
    /** The stack of the second case: 8 experts, top-2, d_model 64, d_ff 96, two expert processes. */
    static final SharedStacks.Key SHARED = key(8, 2, 64, 96, 2);

    @ParameterizedTest(name = "{0} experts, top-{1}, d_model {2}, d_ff {3}, {4} tokens in chunks of {5}, {6} expert process(es)")
    @CsvSource({
            "4, 1, 32, 64, 300, 64, 1",
            "8, 2, 64, 96, 517, 100, 2",
            "6, 3, 48, 80, 257, 50, 1"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldMatchTheReferenceLayer(int experts, int topK, int dModel, int dFf, int tokens, int chunkRows,
                                      int expertProcesses, SharedStacks stacks) throws Exception {
        // given a generated model and the whole stack on a real broker (shared, or of this case alone)
        SharedStacks.Key key = key(experts, topK, dModel, dFf, expertProcesses);
        try (SharedStacks.Stack own = key.equals(SHARED) ? null : SharedStacks.Stack.start(key)) {
            SharedStacks.Stack stack = own == null ? stacks.get(SHARED) : own;
            streamAndCompare(stack, experts, topK, dModel, tokens, chunkRows);
        }
    }

    private static void streamAndCompare(SharedStacks.Stack stack, int experts, int topK, int dModel, int tokens,
                                         int chunkRows) throws Exception {
        Matrix x = Matrix.gaussian(tokens, dModel, 11);
        try {
            // when the tokens stream through the gateway (infer checks the chunks come back in order)
            Matrix y = stack.client().infer("pipeline-it-" + experts + "x" + topK, 0, x, chunkRows, Duration.ofMinutes(2));

            // then the output equals the reference layer's
            try (MoeModel model = MoeModel.open(stack.modelDir()); ReferenceMoeLayer reference = new ReferenceMoeLayer(model, 0)) {
                ErrorStats error = ErrorStats.compare(y, reference.forward(x));
                System.out.println("pipeline vs reference: " + error);
                assertThat(error.maxRelError()).isLessThan(MAX_REL_ERROR);
            }
        } finally {
            stack.stack().copyLogsTo(PipelineFixtures.logDir("PipelineIT-" + experts + "x" + topK));
        }
    }

    /** One layer of {@code experts} experts, top-{@code topK}, its seed derived from both, on that many expert processes. */
    static SharedStacks.Key key(int experts, int topK, int dModel, int dFf, int expertProcesses) {
        return SharedStacks.Key.of(new ModelSpec(1, experts, topK, dModel, dFf, 7L * experts + topK))
                .withExpertProcesses(expertProcesses);
    }
}
