package io.moestream.tools.pipeline;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A client that does not read: a raw streaming call with manual inbound flow control that never asks for a response
 * until {@link #readEverything} and sends whenever its own transport is ready, so all that holds it back is how much
 * the server takes. It respects {@code isReady()} itself, so nothing piles up on the client side.
 */
final class SlowReader<Q, R> {
    private final ClientCall<Q, R> call;
    private final List<R> received = new ArrayList<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private final Object readiness = new Object();
    private int sent;

    private SlowReader(ClientCall<Q, R> call) {
        this.call = call;
    }

    static <Q, R> SlowReader<Q, R> start(Channel channel, MethodDescriptor<Q, R> method) {
        SlowReader<Q, R> reader = new SlowReader<>(channel.newCall(method, CallOptions.DEFAULT));
        reader.call.start(reader.new Listener(), new Metadata());
        return reader;
    }

    /**
     * Sends {@code message(0)}, {@code message(1)}, ... whenever the call is ready, until {@code limit} were sent, the
     * call ended, or none could be sent for {@code quiet}. Returns how many were sent.
     */
    int sendUntilHeldBack(IntFunction<Q> message, int limit, Duration quiet) throws InterruptedException {
        long lastSent = System.nanoTime();
        synchronized (readiness) {
            while (sent < limit && !end.isDone()) {
                if (call.isReady()) {
                    call.sendMessage(message.apply(sent++));
                    lastSent = System.nanoTime();
                } else if (System.nanoTime() - lastSent > quiet.toNanos()) {
                    break;
                } else {
                    readiness.wait(100);
                }
            }
        }
        return sent;
    }

    /** Starts reading: every response, then the status; no more messages are sent. */
    void readEverything() {
        call.request(Integer.MAX_VALUE);
        call.halfClose();
    }

    Status awaitEnd(Duration timeout) throws Exception {
        return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized List<R> received() {
        return List.copyOf(received);
    }

    void cancel() {
        call.cancel("test over", null);
    }

    private final class Listener extends ClientCall.Listener<R> {
        @Override
        public void onMessage(R message) {
            synchronized (SlowReader.this) {
                received.add(message);
            }
        }

        @Override
        public void onReady() {
            synchronized (readiness) {
                readiness.notifyAll();
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            end.complete(status);
            onReady();
        }
    }
}
