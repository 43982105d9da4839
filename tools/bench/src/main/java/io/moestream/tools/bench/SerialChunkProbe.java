package io.moestream.tools.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import io.moestream.proto.v1.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Item 5b of the bench: the round trip of one chunk with nothing else in flight. One stream sends a chunk, waits for
 * its output, then sends the next, so each sample is gateway, three Kafka hops, router and experts for one chunk.
 */
public final class SerialChunkProbe implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Object END = new Object();

    private final ManagedChannel channel;

    public SerialChunkProbe(String target) {
        this.channel = ManagedChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(256 << 20).build();
    }

    /**
     * The timed round trips, and the wall-clock send and receive time (epoch milliseconds) of every chunk by seq, so
     * that the stages in between can be read from the brokers' append times.
     */
    public record Result(LatencySummary roundTrip, long[] sentMillis, long[] receivedMillis) {
    }

    /**
     * Sends {@code warmUps + samples} chunks serially in {@code dtype}, cycling through {@code chunks}; times the last
     * {@code samples}.
     */
    public Result measure(List<Matrix> chunks, DType dtype, int warmUps, int samples, String requestId)
            throws InterruptedException {
        List<Tensor> tensors = chunks.stream().map(c -> TensorMessages.toProto(c, dtype)).toList();
        BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
        StreamObserver<InferChunk> requests = MoeGatewayGrpc.newStub(channel).infer(new StreamObserver<>() {
            @Override
            public void onNext(InferResult result) {
                arrivals.add(result);
            }

            @Override
            public void onError(Throwable t) {
                arrivals.add(t);
            }

            @Override
            public void onCompleted() {
                arrivals.add(END);
            }
        });
        Histogram micros = LatencySummary.newHistogram();
        long[] sentMillis = new long[warmUps + samples];
        long[] receivedMillis = new long[warmUps + samples];
        for (int seq = 0; seq < warmUps + samples; seq++) {
            sentMillis[seq] = System.currentTimeMillis();
            long start = System.nanoTime();
            requests.onNext(InferChunk.newBuilder().setRequestId(requestId).setSeq(seq).setLayer(0)
                    .setHidden(tensors.get(seq % tensors.size())).build());
            Object arrived = next(arrivals);
            long nanos = System.nanoTime() - start;
            receivedMillis[seq] = System.currentTimeMillis();
            if (!(arrived instanceof InferResult result) || result.getSeq() != seq) {
                throw new IllegalStateException("chunk " + seq + " of the latency probe got " + describe(arrived));
            }
            if (seq >= warmUps) {
                LatencySummary.record(micros, nanos);
            }
        }
        requests.onCompleted();
        Object end = next(arrivals);
        if (end != END) {
            throw new IllegalStateException("the latency probe's stream ended with " + describe(end));
        }
        return new Result(LatencySummary.of(micros), sentMillis, receivedMillis);
    }

    private static Object next(BlockingQueue<Object> arrivals) throws InterruptedException {
        Object arrived = arrivals.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (arrived == null) {
            throw new IllegalStateException("no answer from the gateway within " + TIMEOUT);
        }
        return arrived;
    }

    private static String describe(Object arrived) {
        if (arrived instanceof InferResult result) {
            return "the result of seq " + result.getSeq();
        }
        return arrived == END ? "the end of the stream" : "error " + arrived;
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
