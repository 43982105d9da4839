package io.moestream.tools.fuzz;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc;
import io.moestream.proto.v1.MoeGatewayGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Calls the gateway's methods with arbitrary bytes as the request message, bypassing the client's own encoding. */
final class RawGrpc {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> INFER = MoeGatewayGrpc.getInferMethod().toBuilder(BYTES, BYTES).build();
    static final MethodDescriptor<byte[], byte[]> MODEL_INFER =
            GRPCInferenceServiceGrpc.getModelInferMethod().toBuilder(BYTES, BYTES).build();

    private RawGrpc() {
    }

    /** What came back: the response messages and the final status. */
    record Answer(List<byte[]> messages, Status status) {
    }

    /** Sends {@code message} on {@code method} (then half-closes) and waits for the call to end. */
    static Answer call(Channel channel, MethodDescriptor<byte[], byte[]> method, byte[] message, long timeoutSeconds)
            throws Exception {
        CompletableFuture<Answer> done = new CompletableFuture<>();
        List<byte[]> messages = new ArrayList<>();
        StreamObserver<byte[]> responses = new StreamObserver<>() {
            @Override
            public synchronized void onNext(byte[] value) {
                messages.add(value);
            }

            @Override
            public synchronized void onError(Throwable t) {
                done.complete(new Answer(List.copyOf(messages), Status.fromThrowable(t)));
            }

            @Override
            public synchronized void onCompleted() {
                done.complete(new Answer(List.copyOf(messages), Status.OK));
            }
        };
        var call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS));
        if (method.getType() == MethodDescriptor.MethodType.UNARY) {
            ClientCalls.asyncUnaryCall(call, message, responses);
        } else {
            StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, responses);
            requests.onNext(message);
            requests.onCompleted();
        }
        return done.get(timeoutSeconds + 5, TimeUnit.SECONDS);
    }
}
