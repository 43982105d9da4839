package io.moestream.gateway.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.moestream.proto.v1.InferResult;

/** The answers of a {@code moe.v1} Infer call, sent on its gRPC response stream. */
final class GrpcChunkAnswers implements ChunkAnswers {
    private final ServerCallStreamObserver<InferResult> responses;

    GrpcChunkAnswers(ServerCallStreamObserver<InferResult> responses) {
        this.responses = responses;
    }

    @Override
    public void answer(InferResult result) {
        responses.onNext(result);
    }

    @Override
    public boolean ready() {
        return responses.isReady();
    }

    @Override
    public void request(int chunks) {
        responses.request(chunks);
    }

    @Override
    public void end(Status status) {
        if (status.isOk()) {
            responses.onCompleted();
        } else {
            responses.onError(status.asRuntimeException());
        }
    }
}
