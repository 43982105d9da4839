package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelStreamInferResponse;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import io.moestream.testsupport.PrometheusScrape;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.FreePorts;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that send without reading, against a gateway with a 128 MB heap and 64 MB of direct memory on the real
 * pipeline (an embedded KRaft broker, the router, one expert process): the gateway takes no more of such a stream
 * than its flow-control bound, serves other clients meanwhile, stays within its memory, and once the client reads,
 * answers every chunk it took, in order. Without outbound flow control it would take the whole flood (500 MB here).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowReaderIT {
    static final int D_MODEL = 256;
    /** 512 rows of 256 FP32 values: 512 KiB a chunk, and as much for its answer. */
    static final int CHUNK_ROWS = 512;
    /** What the client would send if nothing held it back: 1000 chunks, 500 MiB, 4 times the gateway's heap. */
    static final int FLOOD_CHUNKS = 1000;
    /** The defaults of moe.gateway.max-in-flight-chunks and moe.gateway.oip.max-stream-requests. */
    static final int MAX_IN_FLIGHT_CHUNKS = 8;
    static final int MAX_STREAM_REQUESTS = 8;
    /** The slow client's HTTP/2 window, fixed (grpc-java would otherwise grow it with its bandwidth estimate). */
    static final int CLIENT_WINDOW = 1 << 20;
    /**
     * Messages the transport may hold beyond what the gateway asked for: the gateway's inbound HTTP/2 window (1 MiB,
     * which grpc-java's auto-tuning may grow to 8 MiB: 16 messages), the client's (1 MiB: 2 messages) and one message
     * over each side's 32 KiB ready threshold. Measured: 4 to 10.
     */
    static final int TRANSPORT_SLACK = 20;
    /**
     * What the gateway's process may take in all: a 128 MB heap, 64 MB of direct memory, and the JVM's own (classes,
     * code, threads; about 100 MB). 208 to 263 MB measured with the slow stream held; the flood would be 500 MB.
     */
    static final long MAX_RSS_MB = 512;
    static final Duration QUIET = Duration.ofSeconds(10);
    static final Duration WAIT = Duration.ofMinutes(2);
    static final String GATEWAY = "slow-readers";

    private Path modelDir;
    private LocalStack stack;
    private MoeModel model;
    private ReferenceMoeLayer reference;
    private ChildProcess gateway;
    private String gatewayAddress;
    private Matrix x;
    private Matrix expected;

    @BeforeAll
    void startStack() throws Exception {
        modelDir = Files.createTempDirectory("slow-reader-model-");
        ModelGenerator.generate(modelDir, new ModelSpec(1, 4, 2, D_MODEL, 64, 22));
        model = MoeModel.open(modelDir);
        reference = new ReferenceMoeLayer(model, 0);
        x = Matrix.gaussian(CHUNK_ROWS, D_MODEL, 1);
        expected = reference.forward(x);
        stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir), System.out::println);
        int port = FreePorts.next();
        gateway = stack.startService(GATEWAY, "gateway", Map.of("moe.gateway.instance-id", GATEWAY,
                        "quarkus.grpc.server.port", Integer.toString(port)),
                List.of("-Xmx128m", "-XX:MaxDirectMemorySize=64m", "-XX:NativeMemoryTracking=summary"));
        gatewayAddress = "127.0.0.1:" + port;
    }

    @AfterAll
    void stopStack() throws Exception {
        PipelineFixtures.stop("SlowReaderIT", stack, reference, model, modelDir);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anInferClientThatReadsNothingIsHeldBackWhileOthersAreServed() throws Exception {
        InferChunk chunk = GatewayClient.chunk("slow", 0, x, CHUNK_ROWS, DType.FP32).get(0);

        List<InferResult> results = heldBackThenRead("Infer", MoeGatewayGrpc.getInferMethod(),
                seq -> chunk.toBuilder().setSeq(seq).build(), MAX_IN_FLIGHT_CHUNKS);

        // every chunk taken is answered, in order, with the layer's output, and the gateway holds no token after
        for (int seq = 0; seq < results.size(); seq++) {
            assertThat(results.get(seq).getSeq()).isEqualTo(seq);
            assertMatchesReference(TensorMessages.fromProto(results.get(seq).getOutput(), D_MODEL, CHUNK_ROWS));
        }
        PrometheusScrape metrics = PrometheusScrape.of(stack.httpAddress(GATEWAY));
        assertThat(metrics.value("moe_gateway_tokens_in_flight", Map.of())).isZero();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aModelStreamInferClientThatReadsNothingIsHeldBackWhileOthersAreServed() throws Exception {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName("moe-layer-0")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                        .setName("hidden_states").setDatatype("FP32").addShape(CHUNK_ROWS).addShape(D_MODEL))
                .addRawInputContents(TensorMessages.toProto(x, DType.FP32).getData())
                .build();

        List<ModelStreamInferResponse> responses = heldBackThenRead("ModelStreamInfer",
                GRPCInferenceServiceGrpc.getModelStreamInferMethod(),
                n -> request.toBuilder().setId("slow-" + n).build(), MAX_STREAM_REQUESTS);

        // every request taken is answered, in order, with the layer's output
        for (int n = 0; n < responses.size(); n++) {
            ModelStreamInferResponse response = responses.get(n);
            assertThat(response.getErrorMessage()).isEmpty();
            assertThat(response.getInferResponse().getId()).isEqualTo("slow-" + n);
            ByteString raw = response.getInferResponse().getRawOutputContents(0);
            float[] out = TensorCodec.decode(raw.asReadOnlyByteBuffer(), DType.FP32, CHUNK_ROWS * D_MODEL);
            assertMatchesReference(new Matrix(CHUNK_ROWS, D_MODEL, out));
        }
    }

    /**
     * A client that reads nothing sends messages of {@code method} as long as the gateway takes them: the gateway
     * must take what it asks for ({@code asked}) and no more than the transport's slack beyond, serve another client
     * meanwhile within its memory, and once the client reads, answer every message and end the call OK. Returns the
     * responses.
     */
    private <Q, R> List<R> heldBackThenRead(String rpc, MethodDescriptor<Q, R> method, IntFunction<Q> message,
                                            int asked) throws Exception {
        ManagedChannel channel = channel();
        try {
            SlowReader<Q, R> slow = SlowReader.start(channel, method);

            // when the client sends as much as the gateway takes and reads nothing
            int sent = slow.sendUntilHeldBack(message, FLOOD_CHUNKS, QUIET);

            // then the gateway takes what it asked for and what the transport holds, and serves others meanwhile
            System.out.println("slow " + rpc + " reader: the gateway took " + sent + " messages of 512 KiB, then held"
                    + " the client back; " + memory());
            assertThat(sent).as("%s messages the gateway took from a client that reads nothing", rpc)
                    .isBetween(asked, asked + TRANSPORT_SLACK);
            assertServesOthersWithinItsMemory();

            // and once the client reads, every message it sent is answered and the call ends OK
            slow.readEverything();
            Status status = slow.awaitEnd(WAIT);
            assertThat(status.isOk()).as(status.toString()).isTrue();
            assertThat(slow.received()).hasSize(sent);
            return slow.received();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** While the slow stream is held: another client's stream is answered in full, and the gateway never ran out. */
    private void assertServesOthersWithinItsMemory() throws Exception {
        Matrix y = Matrix.gaussian(8 * CHUNK_ROWS, D_MODEL, 2);
        try (GatewayClient other = new GatewayClient(gatewayAddress)) {
            Matrix answered = other.infer("other", 0, y, CHUNK_ROWS, WAIT);
            assertThat(ErrorStats.compare(answered, PipelineFixtures.referenceByChunks(reference, y, CHUNK_ROWS))
                    .maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
        }
        assertThat(gateway.isAlive()).isTrue();
        assertThat(Files.readString(gateway.log())).doesNotContain("OutOfMemoryError");
        assertThat(rssMb()).as("gateway RSS in MB").isLessThan(MAX_RSS_MB);
    }

    private void assertMatchesReference(Matrix actual) {
        assertThat(ErrorStats.compare(actual, expected).maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
    }

    private ManagedChannel channel() {
        return NettyChannelBuilder.forTarget(gatewayAddress).usePlaintext().flowControlWindow(CLIENT_WINDOW).build();
    }

    /** The gateway process's resident memory in MB (VmRSS). */
    private long rssMb() throws IOException {
        String status = Files.readString(Path.of("/proc", Long.toString(gateway.pid()), "status"));
        Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
        assertThat(rss.find()).isTrue();
        return Long.parseLong(rss.group(1)) / 1024;
    }

    /** The gateway's RSS, and what its JVM committed in all, for the heap and outside it (direct buffers). */
    private String memory() throws IOException, InterruptedException {
        String jcmdPath = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process jcmd = new ProcessBuilder(jcmdPath, Long.toString(gateway.pid()), "VM.native_memory", "summary",
                "scale=MB").redirectErrorStream(true).start();
        String nmt = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return "gateway RSS " + rssMb() + " MB; NMT: " + nmtLine(nmt, "Total")
                + "; Java Heap " + nmtLine(nmt, "Java Heap") + "; Other (direct buffers) " + nmtLine(nmt, "Other");
    }

    private static String nmtLine(String nmt, String category) {
        Matcher m = Pattern.compile("(?m)^\\s*-?\\s*" + Pattern.quote(category)
                + "[: ]*\\(?(reserved=\\d+MB, committed=\\d+MB)").matcher(nmt);
        return m.find() ? m.group(1) : "(not reported)";
    }
}
