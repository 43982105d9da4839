package io.moestream.gateway.oip;

import static io.moestream.gateway.oip.OipRequests.D_MODEL;
import static io.moestream.gateway.oip.OipRequests.floatOutput;
import static io.moestream.gateway.oip.OipRequests.raw;
import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moestream.core.tensor.Matrix;
import io.moestream.gateway.api.InMemoryPipeline;
import io.moestream.gateway.api.InferStreams;
import io.moestream.gateway.api.StreamSettings;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.gateway.reassembly.ChunkOwner;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.gateway.reassembly.ReplyDispatcher;
import io.moestream.gateway.validation.ModelShape;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelStreamInferResponse;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.TokenChunk;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ModelStreamInfer over the in-process gRPC transport, with an in-memory pipeline. */
class OipStreamTest {
    private static final int MAX_STREAM_REQUESTS = 2;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
    private final Reassembler<ChunkOwner> reassembler = new Reassembler<>(D_MODEL);
    private final ReplyDispatcher dispatcher = new ReplyDispatcher(reassembler, D_MODEL, 8, metrics);
    private final InMemoryPipeline pipeline = new InMemoryPipeline(dispatcher);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private Server server;
    private ManagedChannel channel;

    /** One client stream that records the responses and how it ended. */
    private static final class Responses implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
        final List<ModelStreamInferResponse> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<Status> end = new CompletableFuture<>();
        /** False: the client reads nothing until {@link #read()} (gRPC's manual inbound flow control). */
        private final boolean reading;
        private ClientCallStreamObserver<ModelInferRequest> call;

        Responses() {
            this(true);
        }

        Responses(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ModelInferRequest> call) {
            this.call = call;
            if (!reading) {
                call.disableAutoRequestWithInitial(0);
            }
        }

        void read() {
            call.request(Integer.MAX_VALUE);
        }

        @Override
        public void onNext(ModelStreamInferResponse response) {
            received.add(response);
        }

        @Override
        public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end.complete(Status.OK);
        }
    }

    private StreamObserver<ModelInferRequest> open(Responses responses) throws Exception {
        ServedModel model = OipRequests.model();
        StreamSettings settings =
                new StreamSettings(new ModelShape(D_MODEL, model.layers()), 8, Duration.ofSeconds(30), 32, 1 << 20);
        OipInference inference = new OipInference(model, new InferStreams(settings, reassembler, pipeline, metrics),
                new OipSettings(3, MAX_STREAM_REQUESTS), executor);
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .addService(new OipEndpoint(inference, new ServerState("test", () -> true)))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
        return GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(responses);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        executor.shutdownNow();
    }

    @Test
    void shouldAnswerEveryRequestInOrderAndReportAFailedOneWithoutEndingTheStream() throws Exception {
        // given a good request, one for an unknown model, one with a bad shape, and a good one again
        Responses responses = new Responses();
        StreamObserver<ModelInferRequest> requests = open(responses);
        Matrix first = random(4, D_MODEL, 1);
        Matrix last = random(2, D_MODEL, 2);

        // when they are sent and the stream is closed
        requests.onNext(raw("moe-layer-0", first, DType.FP32).setId("a").build());
        requests.onNext(raw("moe-layer-9", first, DType.FP32).setId("b").build());
        requests.onNext(raw("moe-layer-2", first, DType.FP32).setId("c")
                .setInputs(0, OipRequests.input("FP32", 4, D_MODEL + 1)).build());
        requests.onNext(raw("moe-layer-2", last, DType.FP32).setId("d").build());
        requests.onCompleted();

        // then four answers come, in order, two of them errors, and the stream ends OK
        assertThat(responses.end.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isOk()).isTrue();
        assertThat(responses.received).extracting(r -> r.getInferResponse().getId())
                .containsExactly("a", "b", "c", "d");
        assertThat(responses.received.get(0).getErrorMessage()).isEmpty();
        assertThat(floatOutput(responses.received.get(0).getInferResponse(), 0, DType.FP32).rows()).isEqualTo(4);
        assertThat(responses.received.get(1).getErrorMessage())
                .startsWith("NOT_FOUND: model 'moe-layer-9' is not served");
        assertThat(responses.received.get(1).getInferResponse().getModelName()).isEqualTo("moe-layer-9");
        assertThat(responses.received.get(2).getErrorMessage())
                .isEqualTo("INVALID_ARGUMENT: input hidden_states has shape [4, 5]; the model takes [-1, 4]"
                        + " (rows >= 1)");
        assertThat(responses.received.get(3).getErrorMessage()).isEmpty();
        assertThat(responses.received.get(3).getInferResponse().getModelName()).isEqualTo("moe-layer-2");
        assertThat(responses.received.get(3).getInferResponse().getRawOutputContents(0).size())
                .isEqualTo(2 * D_MODEL * Float.BYTES);
    }

    @Test
    void shouldAnswerInRequestOrderWhenALaterRequestFinishesFirst() throws Exception {
        // given a pipeline that holds chunks, and two one-chunk requests in flight
        pipeline.hold();
        Responses responses = new Responses();
        StreamObserver<ModelInferRequest> requests = open(responses);
        requests.onNext(raw("moe-layer-0", random(1, D_MODEL, 3), DType.FP32).setId("first").build());
        requests.onNext(raw("moe-layer-0", random(1, D_MODEL, 4), DType.FP32).setId("second").build());
        TokenChunk a = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        TokenChunk b = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        TokenChunk second = a.getRequestId().contains("-second~") ? a : b;
        TokenChunk first = second == a ? b : a;

        // when the second finishes first
        pipeline.answer(second);
        await("no answer before the first request's").during(Duration.ofMillis(200)).atMost(WAIT)
                .until(() -> responses.received.isEmpty());
        pipeline.answer(first);
        requests.onCompleted();

        // then the answers still come in request order
        assertThat(responses.end.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isOk()).isTrue();
        assertThat(responses.received).extracting(r -> r.getInferResponse().getId()).containsExactly("first", "second");
    }

    @Test
    void shouldRunAtMostMaxStreamRequestsAtOnce() throws Exception {
        // given a pipeline that holds chunks
        pipeline.hold();
        Responses responses = new Responses();
        StreamObserver<ModelInferRequest> requests = open(responses);

        // when four one-chunk requests are sent at once
        for (int i = 0; i < 4; i++) {
            requests.onNext(raw("moe-layer-0", random(1, D_MODEL, i), DType.FP32).setId("r" + i).build());
        }

        // then two reach the pipeline; each answer lets one more in
        TokenChunk r0 = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        TokenChunk r1 = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(pipeline.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
        pipeline.answer(r0.getRequestId().contains("-r0~") ? r0 : r1);
        TokenChunk r2 = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r2.getRequestId()).contains("-r2~");
        assertThat(pipeline.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
        requests.onError(Status.CANCELLED.asRuntimeException());
    }

    @Test
    void shouldTakeNoMoreRequestsWhileTheClientReadsNothingThenAnswerEveryOneOnceItReads() throws Exception {
        // given a client that reads nothing, on a pipeline that answers at once
        Responses responses = new Responses(false);
        StreamObserver<ModelInferRequest> requests = open(responses);

        // when it sends five one-chunk requests
        for (int i = 0; i < 5; i++) {
            requests.onNext(raw("moe-layer-0", random(1, D_MODEL, i), DType.FP32).setId("r" + i).build());
        }
        requests.onCompleted();

        // then the gateway takes two (max stream requests), whose responses wait for the client's transport
        assertThat(pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(pipeline.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(responses.received).isEmpty();

        // and once it reads, every request is answered, in order
        responses.read();
        assertThat(responses.end.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isOk()).isTrue();
        assertThat(responses.received).extracting(r -> r.getInferResponse().getId())
                .containsExactly("r0", "r1", "r2", "r3", "r4");
    }

    @Test
    void shouldAbandonRunningRequestsWhenTheClientCancels() throws Exception {
        // given two requests whose chunks are pending
        pipeline.hold();
        Responses responses = new Responses();
        StreamObserver<ModelInferRequest> requests = open(responses);
        requests.onNext(raw("moe-layer-0", random(2, D_MODEL, 5), DType.FP32).build());
        requests.onNext(raw("moe-layer-0", random(2, D_MODEL, 6), DType.FP32).build());
        pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(reassembler.size()).isEqualTo(2);

        // when the client cancels the stream
        requests.onError(Status.CANCELLED.asRuntimeException());

        // then the pending chunks of both are dropped
        await().atMost(WAIT).until(reassembler::size, size -> size == 0);
    }
}
