package io.moestream.gateway.oip;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.oip.ModelStreamInferResponse;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * One ModelStreamInfer call (Triton's streaming extension). Every request is answered by one response, in the order
 * the requests came; a failed request is answered with {@code error_message} ("CODE: description") and the stream
 * goes on. Up to {@code maxStreamRequests} requests are taken at once, running or answered: the call asks gRPC for one
 * more request each time it hands a response to the client's transport, which it does only while that transport is
 * ready ({@code isReady()}); responses the client is not reading wait here, in order, until the on-ready callback.
 * Responses go out one at a time, under this object's lock.
 */
final class OipStream implements StreamObserver<ModelInferRequest> {
    private static final Logger LOG = Logger.getLogger(OipStream.class);

    private final OipInference inference;
    private final ServerCallStreamObserver<ModelStreamInferResponse> responses;
    private final Set<OipInference.Running> running = new HashSet<>();
    // completes once every response so far was sent; each request's response is chained after it
    private CompletableFuture<Void> sentSoFar = CompletableFuture.completedFuture(null);
    /** Responses due and not yet handed to the client, who is not reading them. */
    private final ArrayDeque<ModelStreamInferResponse> unsent = new ArrayDeque<>();
    private boolean completeAfterUnsent;
    private boolean closed;

    private OipStream(OipInference inference, ServerCallStreamObserver<ModelStreamInferResponse> responses) {
        this.inference = inference;
        this.responses = responses;
    }

    /** Must run inside the gRPC method, before it returns, because flow control is switched to manual there. */
    static StreamObserver<ModelInferRequest> open(OipInference inference,
                                                  StreamObserver<ModelStreamInferResponse> observer) {
        ServerCallStreamObserver<ModelStreamInferResponse> responses =
                (ServerCallStreamObserver<ModelStreamInferResponse>) observer;
        responses.disableAutoRequest();
        OipStream stream = new OipStream(inference, responses);
        responses.setOnCancelHandler(stream::abandon);
        responses.setOnReadyHandler(stream::respondWhileReady);
        responses.request(inference.settings().maxStreamRequests());
        return stream;
    }

    @Override
    public void onNext(ModelInferRequest request) {
        OipInference.Running run = inference.start(request);
        CompletableFuture<ModelStreamInferResponse> answer = run.response().handle((response, failure) ->
                failure == null
                        ? ModelStreamInferResponse.newBuilder().setInferResponse(response).build()
                        : failed(request, OipInference.statusOf(failure)));
        synchronized (this) {
            if (closed) {
                run.cancel().run();
                return;
            }
            running.add(run);
            sentSoFar = sentSoFar.thenCombine(answer, (previous, next) -> next).thenAccept(next -> send(run, next));
        }
    }

    @Override
    public synchronized void onCompleted() {
        sentSoFar.thenRun(this::complete);
    }

    @Override
    public void onError(Throwable clientError) {
        abandon();
    }

    private synchronized void send(OipInference.Running run, ModelStreamInferResponse response) {
        running.remove(run);
        if (!closed) {
            unsent.addLast(response);
            respondWhileReady();
        }
    }

    private synchronized void complete() {
        completeAfterUnsent = true;
        respondWhileReady();
    }

    /** Hands responses over while the client's transport takes them (also gRPC's on-ready callback). */
    private synchronized void respondWhileReady() {
        if (closed) {
            return;
        }
        try {
            while (!unsent.isEmpty() && responses.isReady()) {
                responses.onNext(unsent.removeFirst());
                responses.request(1);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "ModelStreamInfer response could not be sent; abandoning the stream");
            abandon();
            return;
        }
        if (unsent.isEmpty() && completeAfterUnsent) {
            closed = true;
            responses.onCompleted();
        }
    }

    /** The client cancelled or failed: every request still running is abandoned. */
    private synchronized void abandon() {
        closed = true;
        unsent.clear();
        // a cancelled request's response completes at once and removes it from running: iterate over a copy
        List<OipInference.Running> abandoned = List.copyOf(running);
        running.clear();
        abandoned.forEach(run -> run.cancel().run());
    }

    /** The answer to a request that failed: why, and what the request named, as the client sent it. */
    private static ModelStreamInferResponse failed(ModelInferRequest request, Status status) {
        String why = status.getDescription() == null ? "" : ": " + status.getDescription();
        return ModelStreamInferResponse.newBuilder()
                .setErrorMessage(status.getCode() + why)
                .setInferResponse(ModelInferResponse.newBuilder()
                        .setModelName(request.getModelName())
                        .setModelVersion(request.getModelVersion())
                        .setId(request.getId()))
                .build();
    }
}
