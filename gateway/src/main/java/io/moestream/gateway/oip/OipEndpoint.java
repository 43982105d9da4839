package io.moestream.gateway.oip;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.moestream.gateway.api.UndecodableRequests;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.oip.ModelMetadataRequest;
import io.moestream.proto.oip.ModelMetadataResponse;
import io.moestream.proto.oip.ModelReadyRequest;
import io.moestream.proto.oip.ModelReadyResponse;
import io.moestream.proto.oip.ModelStreamInferResponse;
import io.moestream.proto.oip.ServerLiveRequest;
import io.moestream.proto.oip.ServerLiveResponse;
import io.moestream.proto.oip.ServerMetadataRequest;
import io.moestream.proto.oip.ServerMetadataResponse;
import io.moestream.proto.oip.ServerReadyRequest;
import io.moestream.proto.oip.ServerReadyResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The {@code inference.GRPCInferenceService} (Open Inference Protocol V2, with Triton's ModelStreamInfer). Calls that
 * may wait (the readiness check reaches the broker) or compute (decoding, the gate product) run on worker threads,
 * not on the gRPC event loop.
 */
@GrpcService
public class OipEndpoint implements GRPCInferenceServiceGrpc.AsyncService, BindableService {
    static final String SERVER_NAME = "moe-stream";
    /** "parameters": request parameters are accepted and passed through; "model_stream_infer": ModelStreamInfer. */
    static final List<String> EXTENSIONS = List.of("parameters", "model_stream_infer");

    private final OipInference inference;
    private final ServerState server;

    @Inject
    public OipEndpoint(OipInference inference, ServerState server) {
        this.inference = inference;
        this.server = server;
    }

    /**
     * Undecodable request messages end the call with INVALID_ARGUMENT (see {@link UndecodableRequests}); this is why the
     * class implements the service interface rather than extending the generated base, whose bindService is final.
     */
    @Override
    public ServerServiceDefinition bindService() {
        return UndecodableRequests.answerWithInvalidArgument(GRPCInferenceServiceGrpc.bindService(this));
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> responses) {
        reply(responses, ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    @Blocking
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> responses) {
        reply(responses, ServerReadyResponse.newBuilder().setReady(server.ready().getAsBoolean()).build());
    }

    @Override
    @Blocking
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> responses) {
        try {
            inference.models().layerOf(request.getName(), request.getVersion());
        } catch (StatusRuntimeException notFound) {
            responses.onError(notFound);
            return;
        }
        reply(responses, ModelReadyResponse.newBuilder().setReady(server.ready().getAsBoolean()).build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> responses) {
        reply(responses, ServerMetadataResponse.newBuilder()
                .setName(SERVER_NAME)
                .setVersion(server.version())
                .addAllExtensions(EXTENSIONS)
                .build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> responses) {
        ModelMetadataResponse metadata;
        try {
            metadata = inference.models().metadata(request.getName(), request.getVersion());
        } catch (StatusRuntimeException notFound) {
            responses.onError(notFound);
            return;
        }
        reply(responses, metadata);
    }

    @Override
    @Blocking
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
        ServerCallStreamObserver<ModelInferResponse> responses =
                (ServerCallStreamObserver<ModelInferResponse>) observer;
        OipInference.Running run = inference.start(request);
        responses.setOnCancelHandler(run.cancel());
        run.response().whenComplete((response, failure) -> {
            if (failure == null) {
                reply(responses, response);
            } else {
                responses.onError(OipInference.statusOf(failure).asRuntimeException());
            }
        });
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> responses) {
        return OipStream.open(inference, responses);
    }

    private static <T> void reply(StreamObserver<T> responses, T response) {
        responses.onNext(response);
        responses.onCompleted();
    }
}
