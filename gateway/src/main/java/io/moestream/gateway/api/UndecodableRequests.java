package io.moestream.gateway.api;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Makes a request message that is not valid protobuf end its call with INVALID_ARGUMENT naming the message type and
 * the decoder's complaint. Left to grpc-java, the parse fails before any interceptor or listener sees the message and
 * the call ends with UNKNOWN "Application error processing RPC". The wrapped service receives each request as bytes
 * and parses it in its own listener, where the failure can be answered; the service's schema (for reflection) stays.
 */
public final class UndecodableRequests {
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

    private UndecodableRequests() {
    }

    /** {@code service} with every method's request parsed by the wrapper, as described above. */
    public static ServerServiceDefinition answerWithInvalidArgument(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        var methods = service.getMethods().stream().map(UndecodableRequests::wrap).toList();
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder wrapped = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(wrapped::addMethod);
        return wrapped.build();
    }

    private static <Q, R> ServerMethodDefinition<byte[], R> wrap(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
        MethodDescriptor<byte[], R> raw = typed.toBuilder(BYTES, typed.getResponseMarshaller()).build();
        ServerCallHandler<byte[], R> handler = (call, headers) -> {
            TypedCall<Q, R> typedCall = new TypedCall<>(call, typed);
            ServerCall.Listener<Q> listener = method.getServerCallHandler().startCall(typedCall, headers);
            return new ParsingListener<>(listener, typedCall);
        };
        return ServerMethodDefinition.create(raw, handler);
    }

    /** Parses each request; on the first that does not parse, ends the call and tells the service it was cancelled. */
    private static final class ParsingListener<Q, R> extends ServerCall.Listener<byte[]> {
        private final ServerCall.Listener<Q> service;
        private final TypedCall<Q, R> call;
        private boolean failed;

        ParsingListener(ServerCall.Listener<Q> service, TypedCall<Q, R> call) {
            this.service = service;
            this.call = call;
        }

        @Override
        public void onMessage(byte[] message) {
            if (failed) {
                return;
            }
            Q parsed;
            try {
                parsed = call.method.parseRequest(new ByteArrayInputStream(message));
            } catch (RuntimeException e) {
                failed = true;
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                call.closeUndecodable(Status.INVALID_ARGUMENT.withDescription("undecodable "
                        + requestType(call.method) + " message (" + message.length + " bytes): " + cause.getMessage()));
                service.onCancel();
                return;
            }
            service.onMessage(parsed);
        }

        @Override
        public void onHalfClose() {
            if (!failed) {
                service.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            if (!failed) {
                service.onCancel();
            }
        }

        @Override
        public void onComplete() {
            if (!failed) {
                service.onComplete();
            }
        }

        @Override
        public void onReady() {
            if (!failed) {
                service.onReady();
            }
        }
    }

    private static String requestType(MethodDescriptor<?, ?> method) {
        Object prototype = method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                ? p.getMessagePrototype() : null;
        return prototype == null ? method.getFullMethodName() + " request" : prototype.getClass().getSimpleName();
    }

    /** The call as the service sees it: typed messages; silent once the wrapper has ended the call. */
    private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<byte[], R> raw;
        private final MethodDescriptor<Q, R> method;
        private volatile boolean closedByWrapper;

        TypedCall(ServerCall<byte[], R> raw, MethodDescriptor<Q, R> method) {
            this.raw = raw;
            this.method = method;
        }

        synchronized void closeUndecodable(Status status) {
            if (!closedByWrapper) {
                closedByWrapper = true;
                raw.close(status, new Metadata());
            }
        }

        @Override
        public void request(int numMessages) {
            raw.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            if (!closedByWrapper) {
                raw.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!closedByWrapper) {
                raw.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closedByWrapper) {
                closedByWrapper = true;
                raw.close(status, trailers);
            }
        }

        @Override
        public boolean isReady() {
            return !closedByWrapper && raw.isReady();
        }

        @Override
        public boolean isCancelled() {
            return closedByWrapper || raw.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            raw.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            raw.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            raw.setOnReadyThreshold(numBytes);
        }

        @Override
        public SecurityLevel getSecurityLevel() {
            return raw.getSecurityLevel();
        }

        @Override
        public Attributes getAttributes() {
            return raw.getAttributes();
        }

        @Override
        public String getAuthority() {
            return raw.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }
}
