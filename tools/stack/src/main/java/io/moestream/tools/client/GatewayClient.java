package io.moestream.tools.client;

import io.grpc.ManagedChannel;
import io.grpc.Grpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Streams a {@code [n, d_model]} array through the gateway's {@code Infer} call in chunks and collects the
 * layer output. Chunks are sent only while the transport is ready, so a large input never piles up in
 * client memory; the gateway's own flow control then paces the stream.
 */
public final class GatewayClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final MoeGatewayGrpc.MoeGatewayStub stub;

    public GatewayClient(String target) {
        this(target, ClientTls.PLAIN_TEXT);
    }

    public GatewayClient(String target, ClientTls tls) {
        this.channel = Grpc.newChannelBuilder(target, tls.credentials())
                .maxInboundMessageSize(256 * 1024 * 1024)
                .build();
        this.stub = MoeGatewayGrpc.newStub(channel);
    }

    /**
     * The chunks of at most {@code chunkRows} rows that {@link #infer} sends for {@code x}, numbered from 0.
     */
    public static List<InferChunk> chunk(String requestId, int layer, Matrix x, int chunkRows, DType dtype) {
        List<InferChunk> chunks = new ArrayList<>();
        for (int start = 0, seq = 0; start < x.rows(); start += chunkRows, seq++) {
            int rows = Math.min(chunkRows, x.rows() - start);
            float[] part = new float[rows * x.cols()];
            System.arraycopy(x.data(), start * x.cols(), part, 0, part.length);
            chunks.add(InferChunk.newBuilder()
                    .setRequestId(requestId)
                    .setSeq(seq)
                    .setLayer(layer)
                    .setHidden(TensorMessages.toProto(new Matrix(rows, x.cols(), part), dtype))
                    .build());
        }
        return chunks;
    }

    /** Sends prepared chunks as one stream; returns what came back and how the stream ended. */
    public StreamOutcome send(List<InferChunk> chunks, Duration timeout)
            throws InterruptedException, TimeoutException {
        ResultCollector collector = new ResultCollector(chunks);
        stub.infer(collector);
        try {
            return collector.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            collector.cancel("client timeout after " + timeout);
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("result collector failed", e.getCause());
        }
    }

    /**
     * Sends {@code x} in chunks of at most {@code chunkRows} rows and stitches the ordered results back into
     * one {@code [n, d_model]} matrix.
     *
     * @throws StatusRuntimeException with the gateway's status when the stream fails
     */
    public Matrix infer(String requestId, int layer, Matrix x, int chunkRows, Duration timeout)
            throws InterruptedException, TimeoutException {
        return infer(requestId, layer, x, chunkRows, DType.FP32, timeout);
    }

    /** As {@link #infer(String, int, Matrix, int, Duration)}, the chunks sent (and answered) in {@code dtype}. */
    public Matrix infer(String requestId, int layer, Matrix x, int chunkRows, DType dtype, Duration timeout)
            throws InterruptedException, TimeoutException {
        StreamOutcome outcome = send(chunk(requestId, layer, x, chunkRows, dtype), timeout);
        if (!outcome.ok()) {
            throw outcome.status().asRuntimeException();
        }
        List<InferResult> results = outcome.results();
        float[] out = new float[x.rows() * x.cols()];
        int offset = 0;
        for (int i = 0; i < results.size(); i++) {
            InferResult result = results.get(i);
            if (result.getSeq() != i) {
                throw new IllegalStateException("result " + i + " has seq " + result.getSeq() + ": out of order");
            }
            Matrix part = TensorMessages.fromProto(result.getOutput(), x.cols(), Integer.MAX_VALUE);
            System.arraycopy(part.data(), 0, out, offset, part.data().length);
            offset += part.data().length;
        }
        if (offset != out.length) {
            throw new IllegalStateException("results cover " + offset / x.cols() + " of " + x.rows() + " rows");
        }
        return new Matrix(x.rows(), x.cols(), out);
    }

    /** Feeds chunks on readiness and gathers results; completes with the results or the stream's error. */
    private static final class ResultCollector implements ClientResponseObserver<InferChunk, InferResult> {
        private final List<InferChunk> chunks;
        private final List<InferResult> results = new ArrayList<>();
        final CompletableFuture<StreamOutcome> done = new CompletableFuture<>();
        private ClientCallStreamObserver<InferChunk> requests;
        private int next;

        ResultCollector(List<InferChunk> chunks) {
            this.chunks = chunks;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<InferChunk> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(this::sendWhileReady);
        }

        private synchronized void sendWhileReady() {
            while (requests.isReady() && next < chunks.size()) {
                requests.onNext(chunks.get(next++));
            }
            if (next == chunks.size()) {
                next++;
                requests.onCompleted();
            }
        }

        void cancel(String why) {
            requests.cancel(why, null);
        }

        @Override
        public synchronized void onNext(InferResult value) {
            results.add(value);
        }

        @Override
        public synchronized void onError(Throwable t) {
            done.complete(new StreamOutcome(List.copyOf(results), Status.fromThrowable(t)));
        }

        @Override
        public synchronized void onCompleted() {
            done.complete(new StreamOutcome(List.copyOf(results), Status.OK));
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
