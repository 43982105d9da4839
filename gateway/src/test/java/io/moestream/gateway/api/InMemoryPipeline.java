package io.moestream.gateway.api;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.gateway.reassembly.ReplyDispatcher;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.TokenChunk;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Stands in for Kafka, the router and the experts: records every published chunk and, when {@code answerAtOnce},
 * routes all its rows to expert 0, an expert that doubles its input, and replies straight to the dispatcher. Public
 * for the tests of the other protocols that run on the same streams.
 */
public final class InMemoryPipeline implements ChunkPublisher {
    public final BlockingQueue<TokenChunk> published = new LinkedBlockingQueue<>();
    private final ReplyDispatcher dispatcher;
    private volatile boolean answerAtOnce = true;
    private volatile Exception sendFailure;

    public InMemoryPipeline(ReplyDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** From now on chunks are only recorded; the test answers them. */
    public void hold() {
        answerAtOnce = false;
    }

    /** From now on chunks are answered as they are published again. */
    void answerAtOnce() {
        answerAtOnce = true;
    }

    /** From now on every publish fails with {@code failure}, as a producer does when the broker refuses a record. */
    void failSends(Exception failure) {
        sendFailure = failure;
    }

    @Override
    public void publish(TokenChunk chunk, Consumer<Exception> onFailure) {
        if (sendFailure != null) {
            onFailure.accept(sendFailure);
            return;
        }
        published.add(chunk);
        if (answerAtOnce) {
            answer(chunk);
        }
    }

    /** Manifest [0] and expert 0's result: every row doubled (gate weight 2 on an identity expert). */
    public void answer(TokenChunk chunk) {
        manifest(chunk, 0);
        Matrix x = TensorMessages.fromProto(chunk.getHidden(), chunk.getHidden().getCols(), Integer.MAX_VALUE);
        float[] twice = new float[x.data().length];
        for (int i = 0; i < twice.length; i++) {
            twice[i] = 2 * x.data()[i];
        }
        result(chunk, 0, IntStream.range(0, x.rows()).toArray(), new Matrix(x.rows(), x.cols(), twice));
    }

    void manifest(TokenChunk chunk, int... experts) {
        RouteManifest.Builder manifest = RouteManifest.newBuilder()
                .setRequestId(chunk.getRequestId()).setSeq(chunk.getSeq()).setLayer(chunk.getLayer())
                .setRows(chunk.getHidden().getRows());
        for (int e : experts) {
            manifest.addExperts(e);
        }
        dispatcher.onReply(Reply.newBuilder().setManifest(manifest).build());
    }

    void result(TokenChunk chunk, int expert, int[] rowIndex, Matrix weighted) {
        ExpertResult.Builder result = ExpertResult.newBuilder()
                .setRequestId(chunk.getRequestId()).setSeq(chunk.getSeq()).setLayer(chunk.getLayer())
                .setExpert(expert)
                .setWeighted(TensorMessages.toProto(weighted, DType.FP32));
        for (int r : rowIndex) {
            result.addRowIndex(r);
        }
        dispatcher.onReply(Reply.newBuilder().setResult(result).build());
    }
}
