package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.bench.ProcessStats;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OLMoE-1B-7B's expert counts (16 layers x 64 experts, top-8) at tiny dimensions on the local stack as {@code ./moe up}
 * starts it: 1,024 experts in one expert group, one process with a fixed few threads, every layer served equal to the
 * reference layer.
 */
class OlmoeShapeIT {
    static final int LAYERS = 16;
    static final int EXPERTS = 64;
    static final int D_MODEL = 64;
    static final int CHUNK_ROWS = 64;
    /** Far below one per expert: consumers, kernel pool, Kafka clients, Quarkus, the JVM's own. */
    static final int MAX_EXPERT_THREADS = 80;

    @TempDir
    Path modelDir;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void servesEveryLayerOfOneThousandExpertsEqualToTheReference() throws Exception {
        ModelGenerator.generate(modelDir, new ModelSpec(ModelFamily.OLMOE, LAYERS, EXPERTS, 8, D_MODEL, 32, true, 3));
        try (LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir), System.out::println);
             MoeModel model = MoeModel.open(modelDir)) {
            try {
                // given the default packing: every expert in one group, served by one process
                assertThat(stack.placement().groups()).singleElement()
                        .satisfies(group -> assertThat(group.experts()).hasSize(LAYERS * EXPERTS));
                long threads = ProcessStats.threads(stack.process("expert-0").pid());
                System.out.println("expert-0 serves " + LAYERS * EXPERTS + " experts with " + threads + " threads");
                assertThat(threads).isLessThan(MAX_EXPERT_THREADS);

                // when tokens go through the first and the last layer, then both equal the reference layer
                try (GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
                    for (int layer : new int[] {0, LAYERS - 1}) {
                        Matrix x = Matrix.gaussian(512, D_MODEL, layer);
                        Matrix y = client.infer("olmoe-L" + layer, layer, x, CHUNK_ROWS, Duration.ofMinutes(2));
                        try (ReferenceMoeLayer reference = new ReferenceMoeLayer(model, layer)) {
                            ErrorStats error = ErrorStats.compare(y, PipelineFixtures.referenceByChunks(reference, x, CHUNK_ROWS));
                            System.out.println("layer " + layer + " vs reference: " + error);
                            assertThat(error.maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
                        }
                    }
                }
            } finally {
                stack.copyLogsTo(PipelineFixtures.logDir("OlmoeShapeIT"));
            }
        }
    }
}
