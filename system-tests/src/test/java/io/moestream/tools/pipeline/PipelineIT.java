package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole path on a real broker: a Kafka cluster in this JVM, the router, expert and gateway services as
 * separate processes from their production jars, and a gRPC client over loopback. The layer output must
 * equal the in-process reference layer for several shapes, expert counts and top-k.
 */
class PipelineIT {
    static final double MAX_REL_ERROR = 1e-4;

    @TempDir
    Path modelDir;

    @ParameterizedTest(name = "{0} experts, top-{1}, d_model {2}, d_ff {3}, {4} tokens in chunks of {5}, {6} expert process(es)")
    @CsvSource({
            "4, 1, 32, 64, 300, 64, 1",
            "8, 2, 64, 96, 517, 100, 2",
            "6, 3, 48, 80, 257, 50, 1"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldMatchTheReferenceLayer(int experts, int topK, int dModel, int dFf, int tokens, int chunkRows,
                                      int expertProcesses) throws Exception {
        // given a generated model and the whole stack on a real broker
        ModelGenerator.generate(modelDir, new ModelSpec(1, experts, topK, dModel, dFf, 7L * experts + topK));
        Matrix x = Matrix.gaussian(tokens, dModel, 11);
        try (TestKafkaCluster kafka = TestKafkaCluster.start();
             LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                     .withBootstrap(kafka.bootstrapServers())
                     .withExpertProcesses(expertProcesses), System.out::println);
             GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
            try {
                // when the tokens stream through the gateway (infer checks the chunks come back in order)
                Matrix y = client.infer("pipeline-it", 0, x, chunkRows, Duration.ofMinutes(2));

                // then the output equals the reference layer's
                try (MoeModel model = MoeModel.open(modelDir); ReferenceMoeLayer reference = new ReferenceMoeLayer(model, 0)) {
                    ErrorStats error = ErrorStats.compare(y, reference.forward(x));
                    System.out.println("pipeline vs reference: " + error);
                    assertThat(error.maxRelError()).isLessThan(MAX_REL_ERROR);
                }
            } finally {
                stack.copyLogsTo(PipelineFixtures.logDir("PipelineIT-" + experts + "x" + topK));
            }
        }
    }
}
