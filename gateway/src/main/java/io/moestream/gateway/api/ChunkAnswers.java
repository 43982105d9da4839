package io.moestream.gateway.api;

import io.grpc.Status;
import io.moestream.proto.v1.InferResult;

/**
 * Where the answers of one Infer stream go: a client's gRPC call, or a request of another protocol that the gateway
 * runs as a stream. The stream calls these under its lock, so implementations must not call back into it.
 */
public interface ChunkAnswers {

    /** The output of the next chunk, in the order the chunks were sent. */
    void answer(InferResult result);

    /**
     * Whether an answer handed over now is taken without piling up (gRPC: {@code isReady()}, the call's transport has
     * less than its ready threshold queued). While it is not, the stream keeps its answers and asks for no chunk.
     */
    boolean ready();

    /** Flow control: the stream can take {@code chunks} more chunks. */
    void request(int chunks);

    /** The stream is over: OK after the last answer, or the status it failed with. Called once. */
    void end(Status status);
}
