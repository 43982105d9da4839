package io.moestream.gateway.oip;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.moestream.gateway.api.ChunkAnswers;
import io.moestream.gateway.api.InferStreams;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs one request's hidden states through the pipeline as an Infer stream of its own, so validation, publishing,
 * reassembly, ordering, deadlines and flow control are those of {@code moe.v1}: the rows are cut into chunks of at
 * most {@code chunkRows} rows, sent on {@code executor} as the stream's flow control allows (never from inside the
 * stream's callbacks, which run under its lock), and the chunks' outputs are joined in order.
 */
final class LayerCall implements ChunkAnswers {
    private final String requestId;
    private final int layer;
    private final HiddenStates hidden;
    private final int chunkRows;
    private final int chunkCount;
    private final Executor executor;
    private final CompletableFuture<ByteString> output = new CompletableFuture<>();
    // the outputs so far, in chunk order; touched only by the stream's callbacks, which it serializes
    private ByteString joined = ByteString.EMPTY;
    private StreamObserver<InferChunk> chunks;
    private int permits;
    private int sent;
    private boolean feeding;
    private boolean ended;

    LayerCall(String requestId, int layer, HiddenStates hidden, int chunkRows, Executor executor) {
        this.requestId = requestId;
        this.layer = layer;
        this.hidden = hidden;
        this.chunkRows = chunkRows;
        this.chunkCount = (hidden.rows() + chunkRows - 1) / chunkRows;
        this.executor = executor;
    }

    /**
     * Opens the stream and starts sending. The future completes, on {@code executor}, with the raw output bytes
     * {@code [rows, d_model]} in the input's datatype, or fails with the status that ended the stream.
     */
    CompletableFuture<ByteString> start(InferStreams streams) {
        StreamObserver<InferChunk> stream = streams.open(this);
        synchronized (this) {
            chunks = stream;
        }
        feedLater();
        return output;
    }

    /** Abandons the stream: its pending chunks are dropped, and the future fails with CANCELLED. */
    void cancel() {
        StreamObserver<InferChunk> stream;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            stream = chunks;
        }
        stream.onError(Status.CANCELLED.withDescription("the client cancelled").asRuntimeException());
        output.completeExceptionally(Status.CANCELLED.withDescription("request " + requestId + " cancelled")
                .asRuntimeException());
    }

    @Override
    public void answer(InferResult result) {
        joined = joined.concat(result.getOutput().getData());
    }

    /** The outputs are joined in memory, within the request's own size. */
    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void request(int more) {
        synchronized (this) {
            permits += more;
        }
        feedLater();
    }

    @Override
    public void end(Status status) {
        synchronized (this) {
            ended = true;
        }
        ByteString data = joined;
        executor.execute(() -> {
            if (status.isOk()) {
                output.complete(data);
            } else {
                output.completeExceptionally(status.asRuntimeException());
            }
        });
    }

    private void feedLater() {
        synchronized (this) {
            if (feeding || chunks == null || !canSend()) {
                return;
            }
            feeding = true;
        }
        executor.execute(this::feed);
    }

    private void feed() {
        while (true) {
            int index;
            synchronized (this) {
                if (!canSend()) {
                    feeding = false;
                    return;
                }
                permits--;
                index = sent++;
            }
            chunks.onNext(chunk(index));
            if (index == chunkCount - 1) {
                chunks.onCompleted();
            }
        }
    }

    private boolean canSend() {
        return !ended && permits > 0 && sent < chunkCount;
    }

    private InferChunk chunk(int index) {
        int from = index * chunkRows;
        int to = Math.min(hidden.rows(), from + chunkRows);
        return InferChunk.newBuilder()
                .setRequestId(requestId)
                .setSeq(index)
                .setLayer(layer)
                .setHidden(hidden.rows(from, to))
                .build();
    }
}
