package io.moestream.gateway.api;

import static io.moestream.gateway.support.Chunks.chunk;
import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.gateway.reassembly.ChunkOwner;
import io.moestream.gateway.reassembly.ExpirySweeper;
import io.moestream.core.reassembly.IgnoreReason;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.gateway.reassembly.ReplyDispatcher;
import io.moestream.gateway.support.InferCall;
import io.moestream.gateway.validation.ModelShape;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import io.moestream.proto.v1.Tensor;
import io.moestream.proto.v1.TokenChunk;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Infer endpoint over the in-process gRPC transport, with an in-memory pipeline in place of Kafka. */
class MoeGatewayEndpointTest {
    private static final int D_MODEL = 4;
    private static final int MAX_ROWS = 8;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
    private final Reassembler<ChunkOwner> reassembler = new Reassembler<>(D_MODEL);
    private final ReplyDispatcher dispatcher = new ReplyDispatcher(reassembler, D_MODEL, MAX_ROWS, metrics);
    private final InMemoryPipeline pipeline = new InMemoryPipeline(dispatcher);
    private Server server;
    private ManagedChannel channel;
    private ExpirySweeper sweeper;

    private InferStreams streams;

    private MoeGatewayGrpc.MoeGatewayStub gateway(Duration deadline, int maxInFlight) throws Exception {
        return gateway(deadline, maxInFlight, 1 << 20);
    }

    private MoeGatewayGrpc.MoeGatewayStub gateway(Duration deadline, int maxInFlight, long maxTokens) throws Exception {
        StreamSettings settings = new StreamSettings(new ModelShape(D_MODEL, new TreeSet<>(Set.of(0, 2))), MAX_ROWS,
                deadline, maxInFlight, maxTokens);
        String name = InProcessServerBuilder.generateName();
        streams = new InferStreams(settings, reassembler, pipeline, metrics);
        server = InProcessServerBuilder.forName(name)
                .addService(new MoeGatewayEndpoint(streams))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
        sweeper = new ExpirySweeper(dispatcher, deadline);
        sweeper.start();
        return MoeGatewayGrpc.newStub(channel);
    }

    private MoeGatewayGrpc.MoeGatewayStub gateway() throws Exception {
        return gateway(Duration.ofSeconds(30), 32);
    }

    @AfterEach
    void stop() throws InterruptedException {
        sweeper.close();
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Matrix twice(Matrix m) {
        float[] out = new float[m.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = 2 * m.data()[i];
        }
        return new Matrix(m.rows(), m.cols(), out);
    }

    @Test
    void shouldAnswerEveryChunkInOrderInItsInputDtype() throws Exception {
        // given chunks in each dtype
        InferCall call = InferCall.open(gateway());
        Matrix x = random(3, D_MODEL, 1);
        List<DType> dtypes = List.of(DType.FP32, DType.FP16, DType.BF16);

        // when they are streamed and the stream is closed
        for (int seq = 0; seq < dtypes.size(); seq++) {
            call.send(chunk("r1", seq, 2, x, dtypes.get(seq)));
        }
        Status status = call.close().awaitEnd(WAIT);

        // then each answer is the pipeline's output, in the chunk's dtype, in the order sent
        assertThat(status.isOk()).as(status.toString()).isTrue();
        List<InferResult> results = call.results();
        assertThat(results).extracting(InferResult::getSeq).containsExactly(0L, 1L, 2L);
        for (int i = 0; i < dtypes.size(); i++) {
            Tensor output = results.get(i).getOutput();
            Matrix asSent = TensorMessages.asSent(x, dtypes.get(i));
            assertThat(output.getDtype()).isEqualTo(dtypes.get(i));
            assertThat(TensorMessages.fromProto(output, D_MODEL, MAX_ROWS)).isEqualTo(twice(asSent));
            assertThat(results.get(i).getLayer()).isEqualTo(2);
            assertThat(results.get(i).getRequestId()).isEqualTo("r1");
        }
        // and each chunk went onto the token topic as the client sent it, in its own dtype
        assertThat(pipeline.published).extracting(TokenChunk::getHidden)
                .containsExactlyElementsOf(dtypes.stream().map(dtype -> TensorMessages.toProto(x, dtype)).toList());
    }

    static Stream<Arguments> badChunks() {
        Matrix x = random(2, D_MODEL, 2);
        Tensor good = TensorMessages.toProto(x, DType.FP32);
        Matrix withNaN = random(2, D_MODEL, 3);
        withNaN.data()[D_MODEL + 1] = Float.NaN;
        return Stream.of(
                Arguments.of("wrong d_model", chunk("r", 5, 0, random(2, D_MODEL + 1, 4)), "chunk seq 5: d_model is 5"),
                Arguments.of("wrong byte length",
                        bad(good.toBuilder().setData(good.getData().substring(0, 12))), "carries 12 bytes"),
                Arguments.of("unknown layer", chunk("r", 5, 1, x), "chunk seq 5: layer 1 is not a served MoE layer"),
                Arguments.of("unknown dtype", bad(good.toBuilder().setDtypeValue(9)), "unknown dtype"),
                Arguments.of("unspecified dtype", bad(good.toBuilder().setDtype(DType.DTYPE_UNSPECIFIED)), "unknown dtype"),
                Arguments.of("empty chunk", bad(good.toBuilder().setRows(0).setData(ByteString.EMPTY)), "empty chunk"),
                Arguments.of("NaN row", chunk("r", 5, 0, withNaN), "row 1 column 1 is NaN"),
                Arguments.of("too many rows", chunk("r", 5, 0, random(MAX_ROWS + 1, D_MODEL, 5)),
                        "chunk has 9 rows, the maximum is 8"),
                Arguments.of("missing tensor", InferChunk.newBuilder().setRequestId("r").setSeq(5).build(),
                        "hidden tensor is missing"),
                Arguments.of("changed request_id", chunk("other", 5, 0, x), "request_id changed from 'r' to 'other'"),
                Arguments.of("empty request_id", chunk("", 5, 0, x), "request_id is empty"),
                Arguments.of("duplicate seq", chunk("r", 1, 0, x), "chunk seq 1: seq 1 was already sent"));
    }

    private static InferChunk bad(Tensor.Builder hidden) {
        return InferChunk.newBuilder().setRequestId("r").setSeq(5).setLayer(0).setHidden(hidden).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badChunks")
    void shouldAnswerEarlierChunksThenRejectBadChunk(String problem, InferChunk badChunk, String message) throws Exception {
        // given two good chunks already sent
        InferCall call = InferCall.open(gateway());
        call.send(chunk("r", 0, 0, random(2, D_MODEL, 10)), chunk("r", 1, 0, random(1, D_MODEL, 11)));

        // when a bad chunk follows, and a good one after it
        Status status = call.send(badChunk, chunk("r", 6, 0, random(1, D_MODEL, 12))).awaitEnd(WAIT);

        // then the two are answered, and the stream ends with INVALID_ARGUMENT naming the problem
        assertThat(call.results()).extracting(InferResult::getSeq).containsExactly(0L, 1L);
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains(message);
        assertThat(pipeline.published).hasSize(2);
    }

    @Test
    void shouldRejectSecondStreamWithTheSameRequestId() throws Exception {
        // given a stream for r7 with a chunk pending
        MoeGatewayGrpc.MoeGatewayStub stub = gateway();
        pipeline.hold();
        InferCall first = InferCall.open(stub).send(chunk("r7", 0, 0, random(1, D_MODEL, 1)));
        pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        // when another stream starts with the same request id
        Status status = InferCall.open(stub).send(chunk("r7", 0, 0, random(1, D_MODEL, 2))).awaitEnd(WAIT);

        // then it is refused while the first goes on
        assertThat(status.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(status.getDescription()).contains("request_id 'r7' already has an open stream");
        first.cancel();
    }

    @Test
    void shouldFreeRequestIdAndDropPendingChunksWhenClientCancels() throws Exception {
        // given a stream with a pending chunk
        MoeGatewayGrpc.MoeGatewayStub stub = gateway();
        pipeline.hold();
        InferCall first = InferCall.open(stub).send(chunk("r8", 0, 0, random(1, D_MODEL, 1)));
        TokenChunk pending = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(reassembler.size()).isEqualTo(1);

        // when the client cancels
        first.cancel();

        // then the chunk is dropped, its late reply ignored, and the id can be used again
        awaitPendingChunks(0);
        pipeline.answer(pending);
        assertThat(metrics.repliesIgnored(IgnoreReason.UNKNOWN_CHUNK)).isEqualTo(2);
        InferCall again = InferCall.open(stub).send(chunk("r8", 0, 0, random(1, D_MODEL, 1)));
        pipeline.answer(pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(again.close().awaitEnd(WAIT).isOk()).isTrue();
        assertThat(again.results()).hasSize(1);
    }

    @Test
    void shouldNeverLetALateReplyToAnEarlierStreamCompleteALaterStreamWithTheSameRequestId() throws Exception {
        // given a cancelled stream r10 whose chunk 0 is still in the pipeline, and a new stream r10 with its own chunk 0
        MoeGatewayGrpc.MoeGatewayStub stub = gateway();
        pipeline.hold();
        InferCall first = InferCall.open(stub).send(chunk("r10", 0, 0, random(1, D_MODEL, 1)));
        TokenChunk late = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        first.cancel();
        awaitPendingChunks(0);
        Matrix x = random(1, D_MODEL, 2);
        InferCall second = InferCall.open(stub).send(chunk("r10", 0, 0, x));
        TokenChunk current = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        // when the earlier stream's reply arrives now
        pipeline.answer(late);

        // then it is ignored: the new chunk still waits, and is answered with its own output under the client's id
        assertThat(current.getRequestId()).startsWith("r10~").isNotEqualTo(late.getRequestId());
        assertThat(metrics.repliesIgnored(IgnoreReason.UNKNOWN_CHUNK)).isEqualTo(2);
        assertThat(reassembler.size()).isEqualTo(1);
        pipeline.answer(current);
        assertThat(second.close().awaitEnd(WAIT).isOk()).isTrue();
        assertThat(second.results()).hasSize(1);
        assertThat(second.results().get(0).getRequestId()).isEqualTo("r10");
        assertThat(TensorMessages.fromProto(second.results().get(0).getOutput(), D_MODEL, MAX_ROWS)).isEqualTo(twice(x));
    }

    @Test
    void shouldKeepAtMostMaxInFlightChunksPendingPerStream() throws Exception {
        // given a stream allowed 2 pending chunks and a pipeline that does not answer by itself
        MoeGatewayGrpc.MoeGatewayStub stub = gateway(Duration.ofSeconds(30), 2);
        pipeline.hold();

        // when the client sends 5 chunks at once
        InferCall call = InferCall.open(stub);
        for (int seq = 0; seq < 5; seq++) {
            call.send(chunk("r9", seq, 0, random(1, D_MODEL, seq)));
        }

        // then only 2 reach the pipeline; each answer lets exactly one more in
        TokenChunk first = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(pipeline.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
        pipeline.answer(first);
        TokenChunk third = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(third.getSeq()).isEqualTo(2);
        assertThat(pipeline.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
        call.cancel();
    }

    @Test
    void shouldTakeNoMoreChunksWhileTheClientReadsNothingThenAnswerEveryOneOnceItReads() throws Exception {
        // given a stream allowed 2 pending chunks, whose client reads nothing, on a pipeline that answers at once
        InferCall call = InferCall.openWithoutReading(gateway(Duration.ofSeconds(30), 2));

        // when the client sends 5 chunks of 3 rows
        for (int seq = 0; seq < 5; seq++) {
            call.send(chunk("r10", seq, 0, random(3, D_MODEL, seq)));
        }
        call.close();

        // then the gateway takes 2, and their answers wait, in the token cap, for the client's transport to be ready
        assertThat(pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(pipeline.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(streams.tokensInFlight()).isEqualTo(6);
        assertThat(call.results()).isEmpty();

        // and once the client reads, every chunk is answered, in order
        call.read();
        Status status = call.awaitEnd(WAIT);
        assertThat(status.isOk()).as(status.toString()).isTrue();
        assertThat(call.results()).extracting(InferResult::getSeq).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(streams.tokensInFlight()).isZero();
    }

    @Test
    void shouldEndWithDeadlineExceededNamingExpertsThatDidNotAnswer() throws Exception {
        // given a short deadline; chunk 0 is answered, chunk 1 gets a manifest [0, 3] and only expert 0's result
        MoeGatewayGrpc.MoeGatewayStub stub = gateway(Duration.ofMillis(300), 32);
        pipeline.hold();
        InferCall call = InferCall.open(stub).send(chunk("r10", 0, 0, random(1, D_MODEL, 1)),
                chunk("r10", 1, 0, random(2, D_MODEL, 2)));
        pipeline.answer(pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        TokenChunk late = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        pipeline.manifest(late, 0, 3);
        pipeline.result(late, 0, new int[] {0, 1}, Matrix.zeros(2, D_MODEL));

        // when the deadline passes
        Status status = call.awaitEnd(WAIT);

        // then chunk 0 was answered and the stream ends naming expert 3 of layer 0
        assertThat(call.results()).extracting(InferResult::getSeq).containsExactly(0L);
        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(status.getDescription()).contains("chunk seq 1").contains("no result from experts L0.e3")
                .doesNotContain("L0.e0");
    }

    @Test
    void shouldKeepAStreamThatProgressesAlivePastTheDeadlineOfItsQueuedChunks() throws Exception {
        // given a 3 s deadline, four chunks published at once, and a pipeline that completes one every 1.5 s
        MoeGatewayGrpc.MoeGatewayStub stub = gateway(Duration.ofSeconds(3), 32);
        pipeline.hold();
        InferCall call = InferCall.open(stub);
        for (int seq = 0; seq < 4; seq++) {
            call.send(chunk("r12", seq, 0, random(1, D_MODEL, seq)));
        }
        long published = System.nanoTime();
        for (int seq = 0; seq < 4; seq++) {
            TokenChunk next = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Thread.sleep(1500); // the pace of a busy pipeline, not a wait for the gateway
            pipeline.answer(next);
        }

        // then every chunk is answered, the last two more than the deadline after they were published: the deadline
        // bounds a stall of the stream, not the queue before its chunks
        assertThat(Duration.ofNanos(System.nanoTime() - published)).isGreaterThan(Duration.ofSeconds(4));
        assertThat(call.close().awaitEnd(WAIT).getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.results()).extracting(InferResult::getSeq).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void shouldSayWhenTheRouterSentNoManifest() throws Exception {
        MoeGatewayGrpc.MoeGatewayStub stub = gateway(Duration.ofMillis(200), 32);
        pipeline.hold();

        Status status = InferCall.open(stub).send(chunk("r11", 4, 0, random(1, D_MODEL, 1))).awaitEnd(WAIT);

        assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(status.getDescription()).contains("chunk seq 4").contains("no route manifest from the router");
        assertThat(reassembler.size()).isZero();
    }

    @Test
    void shouldEndWithUnavailableWhenAChunkCannotBePublished() throws Exception {
        // given chunk 0 answered, then a broker that refuses records
        InferCall call = InferCall.open(gateway()).send(chunk("r12", 0, 0, random(1, D_MODEL, 1)));
        pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        pipeline.failSends(new IllegalStateException("record too large"));

        // when chunk 1 is sent
        Status status = call.send(chunk("r12", 1, 0, random(1, D_MODEL, 2))).awaitEnd(WAIT);

        // then chunk 0 is answered and the stream ends saying why chunk 1 was not published
        assertThat(call.results()).extracting(InferResult::getSeq).containsExactly(0L);
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).contains("chunk seq 1").contains("could not be published: record too large");
        assertThat(reassembler.size()).isZero();
    }

    @Test
    void shouldRefuseChunksOverTheGatewayWideTokenCapAndFreeTokensAsChunksAreAnswered() throws Exception {
        // given a gateway capped at 10 tokens in flight and a pipeline that does not answer by itself
        MoeGatewayGrpc.MoeGatewayStub stub = gateway(Duration.ofSeconds(30), 32, 10);
        pipeline.hold();
        InferCall first = InferCall.open(stub).send(chunk("r13", 0, 0, random(6, D_MODEL, 1)));
        TokenChunk pending = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(streams.tokensInFlight()).isEqualTo(6);

        // when another stream sends 5 more tokens (11 > 10)
        Status refused = InferCall.open(stub).send(chunk("r14", 0, 0, random(5, D_MODEL, 2))).awaitEnd(WAIT);

        // then it is refused naming the cap, nothing of it is published, and the first stream is untouched
        assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getDescription()).contains("cap of 10 tokens in flight (moe.gateway.max-in-flight-tokens)");
        assertThat(pipeline.published.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(streams.tokensInFlight()).isEqualTo(6);
        assertThat(metrics.chunksRefusedOverCap()).isEqualTo(1);

        // and once the first chunk is answered its tokens are free for the next stream
        pipeline.answer(pending);
        assertThat(first.close().awaitEnd(WAIT).isOk()).isTrue();
        assertThat(streams.tokensInFlight()).isZero();
        pipeline.answerAtOnce();
        InferCall again = InferCall.open(stub).send(chunk("r14", 0, 0, random(5, D_MODEL, 2)));
        assertThat(again.close().awaitEnd(WAIT).isOk()).isTrue();
        assertThat(streams.tokensInFlight()).isZero();
    }

    @Test
    void shouldEndOpenStreamsWithUnavailableAndFreeTheirTokensOnShutdown() throws Exception {
        // given two streams with chunks pending
        MoeGatewayGrpc.MoeGatewayStub stub = gateway();
        pipeline.hold();
        InferCall a = InferCall.open(stub).send(chunk("r15", 0, 0, random(2, D_MODEL, 1)));
        InferCall b = InferCall.open(stub).send(chunk("r16", 0, 0, random(3, D_MODEL, 2)));
        TokenChunk pendingA = pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        pipeline.published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        // when the gateway shuts down
        streams.endAll(Status.UNAVAILABLE.withDescription("gateway shutting down"));

        // then both end with UNAVAILABLE at once, and a late reply changes nothing
        assertThat(a.awaitEnd(WAIT).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(b.awaitEnd(WAIT).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(streams.tokensInFlight()).isZero();
        assertThat(reassembler.size()).isZero();
        pipeline.answer(pendingA);
        assertThat(a.results()).isEmpty();
    }

    private void awaitPendingChunks(int expected) {
        await().atMost(WAIT).until(reassembler::size, size -> size == expected);
    }
}
