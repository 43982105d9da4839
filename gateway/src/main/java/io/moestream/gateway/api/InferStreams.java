package io.moestream.gateway.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.gateway.reassembly.ChunkOwner;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.gateway.validation.ActiveRequests;
import io.moestream.gateway.validation.ChunkValidator;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;

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

    public InferStreams(StreamSettings settings, Reassembler<ChunkOwner> reassembler, ChunkPublisher publisher,
                        GatewayMetrics metrics) {
        this.settings = settings;
        this.reassembler = reassembler;
        this.publisher = publisher;
        this.metrics = metrics;
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
        return new InferStream(this, answers, new ChunkValidator(settings.model(), settings.maxChunkRows(), activeRequests));
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
