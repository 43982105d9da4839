package io.moestream.gateway.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.gateway.reassembly.ChunkOwner;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.gateway.validation.ActiveRequests;
import io.moestream.gateway.validation.ChunkValidator;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens Infer streams (gRPC calls, or streams the gateway runs for other protocols) and holds what they share:
 * settings, the reassembler, the publisher, the open request ids.
 */
public final class InferStreams {
    private final StreamSettings settings;
    private final Reassembler<ChunkOwner> reassembler;
    private final ChunkPublisher publisher;
    private final GatewayMetrics metrics;
    private final ActiveRequests activeRequests = new ActiveRequests();
    private final InFlightTokens tokens;
    private final Set<InferStream> open = ConcurrentHashMap.newKeySet();

    public InferStreams(StreamSettings settings, Reassembler<ChunkOwner> reassembler, ChunkPublisher publisher,
                        GatewayMetrics metrics) {
        this.settings = settings;
        this.reassembler = reassembler;
        this.publisher = publisher;
        this.metrics = metrics;
        this.tokens = new InFlightTokens(settings.maxInFlightTokens());
        metrics.watchTokensInFlight(tokens::current, tokens.cap());
    }

    /**
     * Starts one Infer call; must run inside the gRPC method, before it returns, because flow control is switched
     * to manual there.
     */
    public StreamObserver<InferChunk> open(StreamObserver<InferResult> responseObserver) {
        ServerCallStreamObserver<InferResult> responses = (ServerCallStreamObserver<InferResult>) responseObserver;
        responses.disableAutoRequest();
        InferStream stream = newStream(new GrpcChunkAnswers(responses));
        responses.setOnCancelHandler(stream::cancelled);
        responses.setOnReadyHandler(stream::clientReady);
        responses.request(settings.maxInFlightChunks());
        return stream;
    }

    /**
     * Starts a stream whose answers go to {@code answers} rather than to a gRPC call: the caller sends chunks as
     * {@link ChunkAnswers#request} allows, and abandons the stream with {@code onError}.
     */
    public StreamObserver<InferChunk> open(ChunkAnswers answers) {
        InferStream stream = newStream(answers);
        answers.request(settings.maxInFlightChunks());
        return stream;
    }

    private InferStream newStream(ChunkAnswers answers) {
        InferStream stream = new InferStream(this, answers,
                new ChunkValidator(settings.model(), settings.maxChunkRows(), activeRequests));
        open.add(stream);
        return stream;
    }

    /**
     * Ends every open stream at once with {@code status} (on shutdown: UNAVAILABLE), without waiting for its pending
     * chunks: their replies would come to a reply topic that no one reads once this instance is gone.
     */
    public void endAll(Status status) {
        for (InferStream stream : List.copyOf(open)) {
            stream.end(status);
        }
    }

    /** Tokens published and not yet answered, over every stream. */
    public long tokensInFlight() {
        return tokens.current();
    }

    InFlightTokens tokens() {
        return tokens;
    }

    void closed(InferStream stream) {
        open.remove(stream);
    }

    StreamSettings settings() {
        return settings;
    }

    Reassembler<ChunkOwner> reassembler() {
        return reassembler;
    }

    ChunkPublisher publisher() {
        return publisher;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    ActiveRequests activeRequests() {
        return activeRequests;
    }
}
