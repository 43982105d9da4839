package io.moestream.gateway.oip;

import static io.moestream.gateway.oip.OipRequests.D_MODEL;
import static io.moestream.core.tensor.TensorMessages.asSent;
import static io.moestream.gateway.oip.OipRequests.floatOutput;
import static io.moestream.gateway.oip.OipRequests.intOutput;
import static io.moestream.gateway.oip.OipRequests.output;
import static io.moestream.gateway.oip.OipRequests.raw;
import static io.moestream.gateway.oip.OipRequests.typed;
import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moestream.core.tensor.Matrix;
import io.moestream.gateway.api.InMemoryPipeline;
import io.moestream.gateway.api.InferStreams;
import io.moestream.gateway.api.StreamSettings;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.gateway.reassembly.ChunkOwner;
import io.moestream.gateway.reassembly.ExpirySweeper;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.gateway.reassembly.ReplyDispatcher;
import io.moestream.gateway.validation.ModelShape;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.moestream.proto.oip.InferParameter;
import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.oip.ModelMetadataRequest;
import io.moestream.proto.oip.ModelMetadataResponse;
import io.moestream.proto.oip.ModelReadyRequest;
import io.moestream.proto.oip.ServerLiveRequest;
import io.moestream.proto.oip.ServerMetadataRequest;
import io.moestream.proto.oip.ServerMetadataResponse;
import io.moestream.proto.oip.ServerReadyRequest;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.TokenChunk;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OIP service over the in-process gRPC transport, on the same Infer streams as moe.v1, on an in-memory pipeline.
 */
class OipEndpointTest {
    private static final int MAX_ROWS = 8;
    private static final int CHUNK_ROWS = 3;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
    private final Reassembler<ChunkOwner> reassembler = new Reassembler<>(D_MODEL);
    private final ReplyDispatcher dispatcher = new ReplyDispatcher(reassembler, D_MODEL, MAX_ROWS, metrics);
    private final InMemoryPipeline pipeline = new InMemoryPipeline(dispatcher);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private Server server;
    private ManagedChannel channel;
    private ExpirySweeper sweeper;

    private ManagedChannel gateway(Duration deadline, int maxStreamRequests) throws Exception {
        ServedModel model = OipRequests.model();
        StreamSettings settings = new StreamSettings(new ModelShape(D_MODEL, model.layers()), MAX_ROWS, deadline, 32, 1 << 20);
        OipInference inference = new OipInference(model, new InferStreams(settings, reassembler, pipeline, metrics),
                new OipSettings(CHUNK_ROWS, maxStreamRequests), executor);
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .addService(new OipEndpoint(inference, new ServerState("9.9", ready::get)))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
        sweeper = new ExpirySweeper(dispatcher, deadline);
        sweeper.start();
        return channel;
    }

    private GRPCInferenceServiceBlockingStub blocking() throws Exception {
        return GRPCInferenceServiceGrpc.newBlockingStub(gateway(Duration.ofSeconds(30), 4))
                .withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        sweeper.close();
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        executor.shutdownNow();
    }

    private static Matrix twice(Matrix m) {
        float[] out = new float[m.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = 2 * m.data()[i];
        }
        return new Matrix(m.rows(), m.cols(), out);
    }

    @Test
    void shouldReportLivenessReadinessAndServerMetadata() throws Exception {
        GRPCInferenceServiceBlockingStub oip = blocking();

        assertThat(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(oip.modelReady(ModelReadyRequest.newBuilder().setName("moe-layer-2").build()).getReady()).isTrue();
        ready.set(false);
        assertThat(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
        assertThat(oip.modelReady(ModelReadyRequest.newBuilder().setName("moe-layer-2").build()).getReady()).isFalse();
        ServerMetadataResponse metadata = oip.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertThat(metadata.getName()).isEqualTo("moe-stream");
        assertThat(metadata.getVersion()).isEqualTo("9.9");
        assertThat(metadata.getExtensionsList()).contains("model_stream_infer");
    }

    @Test
    void shouldDescribeALayerModel() throws Exception {
        ModelMetadataResponse metadata = blocking().modelMetadata(ModelMetadataRequest.newBuilder()
                .setName("moe-layer-0").setVersion("1").build());

        assertThat(metadata.getName()).isEqualTo("moe-layer-0");
        assertThat(metadata.getVersionsList()).containsExactly("1");
        assertThat(metadata.getInputsList()).singleElement().satisfies(input -> {
            assertThat(input.getName()).isEqualTo("hidden_states");
            assertThat(input.getDatatype()).isEqualTo("FP32");
            assertThat(input.getShapeList()).containsExactly(-1L, (long) D_MODEL);
        });
        assertThat(metadata.getOutputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName)
                .containsExactly("output", "router_logits", "expert_ids");
        assertThat(metadata.getOutputs(2).getShapeList()).containsExactly(-1L, (long) OipRequests.TOP_K);
        assertThat(metadata.getPropertiesMap()).containsEntry("input_datatypes", "FP32,FP16,BF16");
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownModel() throws Exception {
        GRPCInferenceServiceBlockingStub oip = blocking();

        StatusRuntimeException metadata = catchThrowableOfType(StatusRuntimeException.class,
                () -> oip.modelMetadata(ModelMetadataRequest.newBuilder().setName("moe-layer-1").build()));
        StatusRuntimeException ready = catchThrowableOfType(StatusRuntimeException.class,
                () -> oip.modelReady(ModelReadyRequest.newBuilder().setName("moe-layer-0").setVersion("3").build()));
        StatusRuntimeException infer = catchThrowableOfType(StatusRuntimeException.class,
                () -> oip.modelInfer(raw("llama", random(1, D_MODEL, 1), DType.FP32).build()));

        assertThat(List.of(metadata, ready, infer)).allSatisfy(e ->
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThat(infer.getStatus().getDescription()).isEqualTo(
                "model 'llama' is not served here; models: moe-layer-0, moe-layer-2");
        assertThat(pipeline.published).isEmpty();
    }

    @Test
    void shouldCutARequestIntoChunksAndJoinTheirOutputsInOrder() throws Exception {
        // given 8 rows, which go to the pipeline in chunks of at most 3, with an id and a parameter
        Matrix x = random(8, D_MODEL, 2);
        InferParameter trace = InferParameter.newBuilder().setStringParam("t-1").build();

        // when they are sent raw
        ModelInferResponse response = blocking().modelInfer(raw("moe-layer-2", x, DType.FP32)
                .setId("client-7").putParameters("trace", trace).build());

        // then the output is the pipeline's, the chunks were cut 3 + 3 + 2, and id and parameters came back
        assertThat(response.getOutputsList()).singleElement().satisfies(output -> {
            assertThat(output.getName()).isEqualTo("output");
            assertThat(output.getDatatype()).isEqualTo("FP32");
            assertThat(output.getShapeList()).containsExactly(8L, (long) D_MODEL);
        });
        assertThat(floatOutput(response, 0, DType.FP32)).isEqualTo(twice(x));
        assertThat(response.getId()).isEqualTo("client-7");
        assertThat(response.getModelName()).isEqualTo("moe-layer-2");
        assertThat(response.getModelVersion()).isEqualTo("1");
        assertThat(response.getParametersMap()).containsEntry("trace", trace);
        List<TokenChunk> chunks = List.copyOf(pipeline.published);
        assertThat(chunks).extracting(c -> c.getHidden().getRows()).containsExactly(3, 3, 2);
        assertThat(chunks).extracting(TokenChunk::getSeq).containsExactly(0L, 1L, 2L);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.getLayer()).isEqualTo(2);
            assertThat(c.getRequestId()).startsWith("oip-").contains("-client-7~");
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP16", "BF16"})
    void shouldAnswerInTheInputsDatatype(DType dtype) throws Exception {
        Matrix x = random(4, D_MODEL, 3);

        ModelInferResponse response = blocking().modelInfer(raw("moe-layer-0", x, dtype).build());

        assertThat(response.getOutputs(0).getDatatype()).isEqualTo(dtype.name());
        assertThat(response.getRawOutputContents(0).size()).isEqualTo(4 * D_MODEL * 2);
        assertThat(floatOutput(response, 0, dtype)).isEqualTo(asSent(twice(asSent(x, dtype)), dtype));
    }

    @Test
    void shouldTakeTypedFp32ContentsAndAnswerRaw() throws Exception {
        Matrix x = random(2, D_MODEL, 4);

        ModelInferResponse response = blocking().modelInfer(typed("moe-layer-0", x).build());

        assertThat(response.getOutputs(0).hasContents()).isFalse();
        assertThat(floatOutput(response, 0, DType.FP32)).isEqualTo(twice(x));
    }

    @Test
    void shouldAddRouterOutputsWhenAskedFor() throws Exception {
        Matrix x = random(5, D_MODEL, 5);

        ModelInferResponse response = blocking().modelInfer(raw("moe-layer-0", x, DType.FP32)
                .addOutputs(output("router_logits")).addOutputs(output("output")).addOutputs(output("expert_ids"))
                .build());

        assertThat(response.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
                .containsExactly("router_logits", "output", "expert_ids");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(5L, (long) OipRequests.EXPERTS);
        assertThat(floatOutput(response, 1, DType.FP32)).isEqualTo(twice(x));
        assertThat(response.getOutputs(2).getDatatype()).isEqualTo("INT32");
        Map<RequestedOutput, OutputTensor> router = new RouterOutputs(OipRequests.model()).compute(0, x,
                EnumSet.of(RequestedOutput.ROUTER_LOGITS, RequestedOutput.EXPERT_IDS));
        assertThat(response.getRawOutputContents(0)).isEqualTo(router.get(RequestedOutput.ROUTER_LOGITS).data());
        assertThat(intOutput(response, 2)).hasSize(5 * OipRequests.TOP_K);
        assertThat(response.getRawOutputContents(2)).isEqualTo(router.get(RequestedOutput.EXPERT_IDS).data());
    }

    @Test
    void shouldNotUseThePipelineWhenOnlyRouterOutputsAreAskedFor() throws Exception {
        ModelInferResponse response = blocking().modelInfer(raw("moe-layer-0", random(2, D_MODEL, 6), DType.FP32)
                .addOutputs(output("expert_ids")).build());

        assertThat(response.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
                .containsExactly("expert_ids");
        assertThat(pipeline.published).isEmpty();
    }

    @Test
    void shouldRejectABadTensorWithInvalidArgument() throws Exception {
        Matrix x = random(2, D_MODEL, 7);
        x.data()[3] = Float.NaN;

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> blocking().modelInfer(raw("moe-layer-0", x, DType.FP32).build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).isEqualTo("input hidden_states: row 0 column 3 is NaN");
        assertThat(pipeline.published).isEmpty();
    }

    @Test
    void shouldLetClientsReuseARequestIdWhileItIsInFlight() throws Exception {
        // given a pipeline that holds chunks, and a request with id "same" in flight
        GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub oip =
                GRPCInferenceServiceGrpc.newFutureStub(gateway(Duration.ofSeconds(30), 4));
        pipeline.hold();
        ListenableFuture<ModelInferResponse> first =
                oip.modelInfer(raw("moe-layer-0", random(1, D_MODEL, 8), DType.FP32).setId("same").build());

        // when a second request with the same id comes
        ListenableFuture<ModelInferResponse> second =
                oip.modelInfer(raw("moe-layer-0", random(1, D_MODEL, 9), DType.FP32).setId("same").build());

        // then both run, and each gets its own answer
        TokenChunk a = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        TokenChunk b = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(a.getRequestId()).isNotEqualTo(b.getRequestId());
        pipeline.answer(b);
        pipeline.answer(a);
        assertThat(first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getId()).isEqualTo("same");
        assertThat(second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getId()).isEqualTo("same");
    }

    @Test
    void shouldFailWithDeadlineExceededWhenThePipelineDoesNotAnswer() throws Exception {
        GRPCInferenceServiceBlockingStub oip =
                GRPCInferenceServiceGrpc.newBlockingStub(gateway(Duration.ofMillis(300), 4));
        pipeline.hold();

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> oip.modelInfer(raw("moe-layer-0", random(2, D_MODEL, 10), DType.FP32).setId("slow").build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(e.getStatus().getDescription()).contains("-slow~").contains("no route manifest from the router");
    }

    @Test
    void shouldDropPendingChunksWhenTheClientCancels() throws Exception {
        // given a request whose chunks are pending in a pipeline that holds them
        GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub oip =
                GRPCInferenceServiceGrpc.newFutureStub(gateway(Duration.ofSeconds(30), 4));
        pipeline.hold();
        ListenableFuture<ModelInferResponse> call =
                oip.modelInfer(raw("moe-layer-0", random(5, D_MODEL, 11), DType.FP32).build());
        pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        // when the client cancels
        call.cancel(true);

        // then the gateway forgets the chunks
        await().atMost(WAIT).until(reassembler::size, size -> size == 0);
    }
}
