package io.moestream.tools.pipeline;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import io.moestream.tools.client.GatewayClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Infer stream that the fault tests watch while it runs: it sends its chunks as fast as gRPC lets it (on
 * readiness), counts the results as they come, notes each time the transport held it back, and records how and
 * when the stream ended. The tests crash parts of the pipeline once it is under way.
 */
final class StreamProbe implements ClientResponseObserver<InferChunk, InferResult>, AutoCloseable {
    /** How a stream ended: its status, when, and the results in arrival order. */
    record Ending(Status status, long endNanos, List<InferResult> results) {
    }

    private final ManagedChannel channel;
    private final List<InferChunk> chunks;
    private final List<InferResult> results = new ArrayList<>();
    /** When each result arrived (System.nanoTime), in arrival order: the recovery measurements read the gaps. */
    private final List<Long> arrivals = new ArrayList<>();
    private final CompletableFuture<Ending> end = new CompletableFuture<>();
    private ClientCallStreamObserver<InferChunk> requests;
    private int next;
    private int heldBack;
    /** How many chunks the test lets it send so far; all of them unless it paces the stream. */
    private int allowed;

    private StreamProbe(String gateway, List<InferChunk> chunks, int allowed) {
        this.channel = ManagedChannelBuilder.forTarget(gateway).usePlaintext().build();
        this.chunks = chunks;
        this.allowed = allowed;
    }

    /** Starts streaming {@code x} as chunks of {@code chunkRows} rows of layer 0. */
    static StreamProbe start(String gateway, String requestId, Matrix x, int chunkRows) {
        return open(gateway, requestId, x, chunkRows, Integer.MAX_VALUE);
    }

    /** Opens the stream without sending anything: the test sends its chunks with {@link #allow}. */
    static StreamProbe startPaced(String gateway, String requestId, Matrix x, int chunkRows) {
        return open(gateway, requestId, x, chunkRows, 0);
    }

    private static StreamProbe open(String gateway, String requestId, Matrix x, int chunkRows, int allowed) {
        StreamProbe probe = new StreamProbe(gateway, GatewayClient.chunk(requestId, 0, x, chunkRows, DType.FP32), allowed);
        MoeGatewayGrpc.newStub(probe.channel).infer(probe);
        return probe;
    }

    /** Lets the stream send {@code count} more chunks (as the transport is ready for them); the last one ends it. */
    synchronized void allow(int count) {
        allowed = (int) Math.min(chunks.size(), (long) allowed + count);
        if (requests != null) {
            sendWhileReady();
        }
    }

    /** Chunks sent so far. */
    synchronized int sentCount() {
        return Math.min(next, chunks.size());
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<InferChunk> requestStream) {
        requests = requestStream;
        requestStream.setOnReadyHandler(this::sendWhileReady);
    }

    private synchronized void sendWhileReady() {
        while (next < Math.min(chunks.size(), allowed)) {
            if (!requests.isReady()) {
                heldBack++;
                return;
            }
            requests.onNext(chunks.get(next++));
        }
        if (next == chunks.size()) {
            next++;
            requests.onCompleted();
        }
    }

    /** Waits until at least {@code count} results came back; false if the stream ended or the time ran out first. */
    boolean awaitResults(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                if (results.size() >= count) {
                    return true;
                }
            }
            if (end.isDone()) {
                return false;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** How the stream ended; fails if it did not end within {@code timeout} (a hung stream). */
    Ending awaitEnd(Duration timeout) throws Exception {
        return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized int resultCount() {
        return results.size();
    }

    /** Times the client had chunks left to send and the transport was not ready for them. */
    synchronized int heldBack() {
        return heldBack;
    }

    int chunkCount() {
        return chunks.size();
    }

    /**
     * The rows answered, stitched in order; fails unless the results are chunks 0..n-1, each exactly once and in order.
     */
    static Matrix answeredRows(Ending ending, int dModel) {
        List<InferResult> results = ending.results();
        int rows = 0;
        List<Matrix> parts = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).getSeq() != i) {
                throw new AssertionError("result " + i + " is chunk " + results.get(i).getSeq()
                        + ": a chunk answered twice, skipped or out of order");
            }
            Matrix part = TensorMessages.fromProto(results.get(i).getOutput(), dModel, Integer.MAX_VALUE);
            parts.add(part);
            rows += part.rows();
        }
        float[] out = new float[rows * dModel];
        int offset = 0;
        for (Matrix part : parts) {
            System.arraycopy(part.data(), 0, out, offset, part.data().length);
            offset += part.data().length;
        }
        return new Matrix(rows, dModel, out);
    }

    @Override
    public synchronized void onNext(InferResult result) {
        results.add(result);
        arrivals.add(System.nanoTime());
    }

    /** When each result so far arrived (System.nanoTime), in order. */
    synchronized List<Long> arrivalNanos() {
        return List.copyOf(arrivals);
    }

    @Override
    public synchronized void onError(Throwable t) {
        end.complete(new Ending(Status.fromThrowable(t), System.nanoTime(), List.copyOf(results)));
    }

    @Override
    public synchronized void onCompleted() {
        end.complete(new Ending(Status.OK, System.nanoTime(), List.copyOf(results)));
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
