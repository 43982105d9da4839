package io.moestream.gateway.it;

import static io.moestream.gateway.support.Chunks.chunk;
import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.gateway.it.ReferencePipeline.Behaviour;
import io.moestream.gateway.support.InferCall;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import io.moestream.testsupport.PrometheusScrape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway (quarkus-run.jar) against a real broker, over gRPC on loopback; the test plays router and
 * experts with moe-core's routing and plain-Java kernels and compares with the in-process reference layer.
 */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerResource.class)
class GatewayIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int D_MODEL = KafkaBrokerResource.MODEL.dModel();
    /** The default of moe.gateway.max-in-flight-chunks, which the test leaves as it is. */
    private static final int MAX_IN_FLIGHT = 8;

    PipelineEnv env;
    @TestHTTPResource("/")
    URL http;

    private MoeModel model;
    private ReferencePipeline pipeline;
    private ManagedChannel channel;
    private MoeGatewayGrpc.MoeGatewayStub gateway;

    @BeforeEach
    void connect() {
        model = MoeModel.open(env.modelDir());
        pipeline = new ReferencePipeline(env, model);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", env.grpcPort()).usePlaintext().build();
        gateway = MoeGatewayGrpc.newStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        pipeline.close();
        model.close();
    }

    @Test
    void shouldAnswerEveryChunkInOrderWithTheReferenceLayerOutput() throws Exception {
        // given chunks of different sizes for both MoE layers
        List<Matrix> inputs = new ArrayList<>();
        InferCall call = InferCall.open(gateway);
        for (int seq = 0; seq < 6; seq++) {
            Matrix x = random(1 + seq % 4 * 3, D_MODEL, 100 + seq);
            inputs.add(x);
            call.send(chunk("ordered", seq, seq % 2, x));
        }

        // when the stream is closed
        Status status = call.close().awaitEnd(WAIT);

        // then every chunk is answered, in order, with the reference layer's output
        assertThat(status.isOk()).as(status.toString()).isTrue();
        List<InferResult> results = call.results();
        assertThat(results).extracting(InferResult::getSeq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        for (int seq = 0; seq < inputs.size(); seq++) {
            assertMatchesReference(results.get(seq), seq % 2, inputs.get(seq));
        }
    }

    @Test
    void shouldIgnoreDuplicatedResults() throws Exception {
        // given a router and experts that deliver every result twice, before the manifest
        Matrix x = random(7, D_MODEL, 7);
        pipeline.behave("duplicates", 0, Behaviour.DUPLICATE_RESULTS_FIRST);

        // when the chunk is sent
        InferCall call = InferCall.open(gateway).send(chunk("duplicates", 0, 0, x));
        Status status = call.close().awaitEnd(WAIT);

        // then the output counts each expert once
        assertThat(status.isOk()).as(status.toString()).isTrue();
        assertThat(call.results()).hasSize(1);
        assertMatchesReference(call.results().get(0), 0, x);
        assertThat(PrometheusScrape.of(http.toString().replaceAll("/$", "")).value("moe_gateway_replies_ignored_total", Map.of("reason", "duplicate")))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldEndWithDeadlineExceededNamingTheExpertsThatNeverAnswered() throws Exception {
        // given chunk 0 answered normally and chunk 1's experts silent
        Matrix answered = random(2, D_MODEL, 20);
        Matrix unanswered = random(3, D_MODEL, 21);
        pipeline.behave("silent", 1, Behaviour.SILENT_EXPERTS);

        // when both are sent and the deadline passes
        InferCall call = InferCall.open(gateway).send(chunk("silent", 0, 1, answered), chunk("silent", 1, 1, unanswered));
        Status status = call.awaitEnd(WAIT);

        // then chunk 0 was answered and the status names every routed expert of chunk 1
        String missing = pipeline.expertsFor(1, unanswered).stream().map(e -> "L1.e" + e).collect(Collectors.joining(", "));
        assertThat(call.results()).extracting(InferResult::getSeq).containsExactly(0L);
        assertMatchesReference(call.results().get(0), 1, answered);
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(status.getDescription()).contains("chunk seq 1").endsWith("no result from experts " + missing);
    }

    @Test
    void shouldAnswerTwoGoodChunksThenRejectTheBadOne() throws Exception {
        // given two good chunks
        Matrix first = random(4, D_MODEL, 30);
        Matrix second = random(5, D_MODEL, 31);
        InferCall call = InferCall.open(gateway).send(chunk("bad-third", 0, 0, first), chunk("bad-third", 1, 0, second));

        // when the third has the wrong d_model
        Status status = call.send(chunk("bad-third", 2, 0, random(4, D_MODEL + 2, 32))).awaitEnd(WAIT);

        // then the two are answered, then the stream ends with INVALID_ARGUMENT
        assertThat(call.results()).extracting(InferResult::getSeq).containsExactly(0L, 1L);
        assertMatchesReference(call.results().get(0), 0, first);
        assertMatchesReference(call.results().get(1), 0, second);
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("chunk seq 2: d_model is 18 but the model's d_model is 16");
    }

    @Test
    void shouldHoldAFastClientToMaxInFlightChunks() throws Exception {
        // given experts that never answer, so no chunk of this request completes
        pipeline.behave("flood", Behaviour.SILENT_EXPERTS);

        // when the client sends more chunks than may be in flight, as fast as it can
        InferCall call = InferCall.open(gateway);
        for (int seq = 0; seq < MAX_IN_FLIGHT + 8; seq++) {
            call.send(chunk("flood", seq, 0, random(1, D_MODEL, seq)));
        }
        Status status = call.awaitEnd(WAIT);

        // then only max-in-flight chunks were taken and published before the first deadline ended the stream
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await().atMost(WAIT).until(() -> pipeline.chunksSeen("flood") >= MAX_IN_FLIGHT);
        await("no chunk beyond max-in-flight is published").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> pipeline.chunksSeen("flood") == MAX_IN_FLIGHT);
    }

    @Test
    void shouldReportReadyWithItsReplyTopic() throws Exception {
        String health = get("/q/health/ready");

        assertThat(health).contains("\"status\": \"UP\"").contains("reply topic moe.replies.it");
    }

    private void assertMatchesReference(InferResult result, int layer, Matrix x) {
        Matrix expected;
        try (ReferenceMoeLayer reference = new ReferenceMoeLayer(model, layer)) {
            expected = reference.forward(x);
        }
        Matrix actual = TensorMessages.fromProto(result.getOutput(), D_MODEL, Integer.MAX_VALUE);
        assertThat(result.getLayer()).isEqualTo(layer);
        assertThat(actual.rows()).isEqualTo(x.rows());
        float scale = 0;
        for (float v : expected.data()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.data().length; i++) {
            assertThat(Math.abs(actual.data()[i] - expected.data()[i]))
                    .as("element %d of seq %d", i, result.getSeq())
                    .isLessThanOrEqualTo(1e-4f * scale);
        }
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(http.toURI().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
