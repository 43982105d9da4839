package io.moestream.tools.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.layer.LayerOutput;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.testsupport.Executables;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock Open Inference Protocol client against the real stack: Node's {@code @grpc/grpc-js} with
 * {@code @grpc/proto-loader}, given nothing of moe-stream but the file
 * {@code proto/src/main/proto/inference/grpc_service.proto}, calls ServerLive, ModelMetadata, ModelInfer (raw FP32,
 * every output, two bad requests) and ModelStreamInfer (raw on layer 0, an unknown model, typed FP32 on layer 1) on
 * a gateway that runs with the router and an expert service as processes from their jars, on a real broker. What it
 * wrote must match the in-process reference layer.
 */
class OipNodeClientIT {
    private static final double MAX_REL_ERROR = 1e-4;
    private static final int D_MODEL = 32;
    private static final int EXPERTS = 6;
    private static final int TOP_K = 2;
    private static final int ROWS = 150;

    @TempDir
    Path modelDir;
    @TempDir
    Path work;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void shouldServeAStockOipClientThatKnowsOnlyTheProtoFile() throws Exception {
        // given node and npm, and the client's two npm packages installed under target/
        boolean nodeHere = Executables.available("node") && Executables.available("npm");
        String why = "OipNodeClientIT skipped: node and npm are not on the PATH (it needs Node.js 18+ and npm)";
        if (!nodeHere) {
            System.out.println(why);
        }
        assumeTrue(nodeHere, why);
        NodeClient client = NodeClient.install(Path.of("target", "oip-node-client"));
        Path proto = MoeHome.locate().root().resolve("proto/src/main/proto/inference/grpc_service.proto");

        // and a generated two-layer model, tokens, and the stack on a real broker, cutting OIP requests in 64 rows
        ModelGenerator.generate(modelDir, new ModelSpec(2, EXPERTS, TOP_K, D_MODEL, 64, 21L));
        Matrix x = Matrix.gaussian(ROWS, D_MODEL, 5);
        Files.write(work.resolve("x.bin"), littleEndian(x.data()));
        try (TestKafkaCluster kafka = TestKafkaCluster.start();
             LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                     .withBootstrap(kafka.bootstrapServers())
                     .withExtraProperties(Map.of("moe.gateway.oip.chunk-rows", "64")), System.out::println)) {
            try {
                // when the client runs against the gateway
                client.run(proto, stack.gatewayAddress(), work);
            } finally {
                stack.copyLogsTo(Path.of("target", "stack-logs", "OipNodeClientIT"));
            }
        }

        // then what it got is the server's state, the model's description and the reference layer's outputs
        JsonNode results = new ObjectMapper().readTree(work.resolve("results.json").toFile());
        assertThat(results.get("live").asBoolean()).isTrue();
        assertThat(results.get("ready").asBoolean()).isTrue();
        assertThat(results.at("/server/extensions").toString()).contains("model_stream_infer");
        assertMetadata(results.get("metadata"));
        try (MoeModel model = MoeModel.open(modelDir)) {
            assertModelInfer(results.get("infer"), model, x);
            assertStream(results.get("stream"), results.get("half").asInt(), model, x);
        }
        assertThat(results.at("/unknownModel/code").asText()).isEqualTo("NOT_FOUND");
        assertThat(results.at("/unknownModel/details").asText()).startsWith("model 'moe-layer-99' is not served here");
        assertThat(results.at("/badShape/code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(results.at("/badShape/details").asText())
                .isEqualTo("input hidden_states of shape [2, 32] and datatype FP32 needs 256 bytes;"
                        + " raw_input_contents[0] has 128");
    }

    private static void assertMetadata(JsonNode metadata) {
        assertThat(metadata.get("name").asText()).isEqualTo("moe-layer-0");
        assertThat(metadata.get("versions").toString()).isEqualTo("[\"1\"]");
        assertThat(metadata.get("inputs").toString())
                .isEqualTo("[{\"name\":\"hidden_states\",\"datatype\":\"FP32\",\"shape\":[-1," + D_MODEL + "]}]");
        assertThat(metadata.get("outputs").findValuesAsText("name"))
                .containsExactly("output", "router_logits", "expert_ids");
    }

    private void assertModelInfer(JsonNode infer, MoeModel model, Matrix x) throws Exception {
        assertThat(infer.get("id").asText()).isEqualTo("node-infer");
        assertThat(infer.get("model_version").asText()).isEqualTo("1");
        assertThat(infer.at("/parameters/client/string_param").asText()).isEqualTo("grpc-js");
        JsonNode outputs = infer.get("outputs");
        assertThat(outputs.findValuesAsText("name")).containsExactly("output", "router_logits", "expert_ids");
        assertThat(outputs.findValuesAsText("datatype")).containsExactly("FP32", "FP32", "INT32");
        LayerOutput reference;
        try (ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 0)) {
            reference = layer.forwardWithStats(x);
        }
        // output: (rows, d_model), the reference layer's
        ErrorStats error = ErrorStats.compare(floats(outputs.get(0), ROWS, D_MODEL), reference.output());
        System.out.println("OIP ModelInfer (grpc-js) vs reference layer: " + error);
        assertThat(error.maxRelError()).isLessThan(MAX_REL_ERROR);
        // router_logits: (rows, n_experts) = x · W_gateᵀ, here one dot product at a time
        ErrorStats logits = ErrorStats.compare(floats(outputs.get(1), ROWS, EXPERTS), naiveLogits(x, model.gate(0)));
        assertThat(logits.maxRelError()).isLessThan(MAX_REL_ERROR);
        // expert_ids: (rows, top_k); how often each expert is named is the reference layer's tokens per expert
        long[] named = new long[EXPERTS];
        ByteBuffer ids = ByteBuffer.wrap(Files.readAllBytes(work.resolve(outputs.get(2).get("file").asText())))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ids.remaining()).isEqualTo(ROWS * TOP_K * Integer.BYTES);
        while (ids.hasRemaining()) {
            named[ids.getInt()]++;
        }
        assertThat(named).containsExactly(reference.tokensPerExpert());
    }

    private void assertStream(JsonNode stream, int half, MoeModel model, Matrix x) throws Exception {
        assertThat(stream.findValuesAsText("id")).containsExactly("stream-a", "stream-bad", "stream-b");
        assertThat(stream.get(0).get("error_message").asText()).isEmpty();
        assertThat(stream.get(1).get("error_message").asText())
                .startsWith("NOT_FOUND: model 'no-such-model' is not served");
        assertThat(stream.get(2).get("error_message").asText()).isEmpty();
        Matrix first = x.gatherRows(range(0, half));
        Matrix second = x.gatherRows(range(half, ROWS));
        try (ReferenceMoeLayer layer0 = new ReferenceMoeLayer(model, 0);
             ReferenceMoeLayer layer1 = new ReferenceMoeLayer(model, 1)) {
            ErrorStats a = ErrorStats.compare(floats(stream.get(0).at("/outputs/0"), half, D_MODEL),
                    layer0.forward(first));
            ErrorStats b = ErrorStats.compare(floats(stream.get(2).at("/outputs/0"), ROWS - half, D_MODEL),
                    layer1.forward(second));
            System.out.println("OIP ModelStreamInfer (grpc-js) vs reference layer: " + a + " (layer 0), "
                    + b + " (layer 1)");
            assertThat(a.maxRelError()).isLessThan(MAX_REL_ERROR);
            assertThat(b.maxRelError()).isLessThan(MAX_REL_ERROR);
        }
    }

    /** The FP32 output the client saved, checking the shape it reported. */
    private Matrix floats(JsonNode output, int rows, int cols) throws Exception {
        assertThat(output.get("shape").toString()).isEqualTo("[" + rows + "," + cols + "]");
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(work.resolve(output.get("file").asText())))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).isEqualTo(rows * cols * Float.BYTES);
        float[] values = new float[rows * cols];
        bytes.asFloatBuffer().get(values);
        return new Matrix(rows, cols, values);
    }

    private static Matrix naiveLogits(Matrix x, Matrix gate) {
        float[] out = new float[x.rows() * gate.rows()];
        for (int r = 0; r < x.rows(); r++) {
            for (int e = 0; e < gate.rows(); e++) {
                double sum = 0;
                for (int c = 0; c < x.cols(); c++) {
                    sum += (double) x.get(r, c) * gate.get(e, c);
                }
                out[r * gate.rows() + e] = (float) sum;
            }
        }
        return new Matrix(x.rows(), gate.rows(), out);
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }
}
