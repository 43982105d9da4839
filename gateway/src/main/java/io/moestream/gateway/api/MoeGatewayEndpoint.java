package io.moestream.gateway.api;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.MoeGatewayGrpc;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;

/** The {@code moe.v1.MoeGateway} gRPC service; each Infer call becomes an {@link InferStream}. */
@GrpcService
public class MoeGatewayEndpoint implements MoeGatewayGrpc.AsyncService, BindableService {
    private final InferStreams streams;

    @Inject
    public MoeGatewayEndpoint(InferStreams streams) {
        this.streams = streams;
    }

    /**
     * Undecodable request messages end the call with INVALID_ARGUMENT (see {@link UndecodableRequests}); this is why the
     * class implements the service interface rather than extending the generated base, whose bindService is final.
     */
    @Override
    public ServerServiceDefinition bindService() {
        return UndecodableRequests.answerWithInvalidArgument(MoeGatewayGrpc.bindService(this));
    }

    @Override
    public StreamObserver<InferChunk> infer(StreamObserver<InferResult> responses) {
        return streams.open(responses);
    }
}
