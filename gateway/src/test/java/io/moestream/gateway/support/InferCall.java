package io.moestream.gateway.support;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** One client-side Infer call that records the results and the final status. */
public final class InferCall implements ClientResponseObserver<InferChunk, InferResult> {
    private final List<InferResult> results = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private final boolean reading;
    private ClientCallStreamObserver<InferChunk> requests;

    private InferCall(boolean reading) {
        this.reading = reading;
    }

    public static InferCall open(MoeGatewayGrpc.MoeGatewayStub stub) {
        return start(stub, new InferCall(true));
    }

    /** A call whose client reads no answer until {@link #read()} (gRPC's manual inbound flow control). */
    public static InferCall openWithoutReading(MoeGatewayGrpc.MoeGatewayStub stub) {
        return start(stub, new InferCall(false));
    }

    private static InferCall start(MoeGatewayGrpc.MoeGatewayStub stub, InferCall call) {
        stub.infer(call);
        return call;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<InferChunk> requestStream) {
        this.requests = requestStream;
        if (!reading) {
            requestStream.disableAutoRequestWithInitial(0);
        }
    }

    /** Starts reading every answer and the end. */
    public void read() {
        requests.request(Integer.MAX_VALUE);
    }

    public InferCall send(InferChunk... chunks) {
        for (InferChunk chunk : chunks) {
            requests.onNext(chunk);
        }
        return this;
    }

    /** Half-closes: no more chunks. */
    public InferCall close() {
        requests.onCompleted();
        return this;
    }

    public void cancel() {
        requests.cancel("test cancels", null);
    }

    /** The status the server ended the call with. */
    public Status awaitEnd(Duration timeout) throws Exception {
        return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public List<InferResult> results() {
        return List.copyOf(results);
    }

    @Override
    public void onNext(InferResult result) {
        results.add(result);
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
