package io.moestream.gateway.api;

import io.grpc.stub.StreamObserver;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;

/** The {@code moe.v1.MoeGateway} gRPC service; each Infer call becomes an {@link InferStream}. */
@GrpcService
public class MoeGatewayEndpoint extends MoeGatewayGrpc.MoeGatewayImplBase {
    private final InferStreams streams;

    @Inject
    public MoeGatewayEndpoint(InferStreams streams) {
        this.streams = streams;
    }

    @Override
    public StreamObserver<InferChunk> infer(StreamObserver<InferResult> responses) {
        return streams.open(responses);
    }
}
