package io.moestream.gateway.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.reassembly.ChunkKey;
import io.moestream.gateway.reassembly.ChunkOwner;
import io.moestream.core.reassembly.ExpiredChunk;
import io.moestream.core.topics.StreamRequestIds;
import io.moestream.gateway.validation.ChunkValidator;
import io.moestream.gateway.validation.InvalidChunkException;
import io.moestream.gateway.validation.ValidChunk;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.TokenChunk;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Infer stream: a client's gRPC call, or a request of another protocol run as a stream. Chunks come in on the
 * caller's thread; completions come from the reply listener, expiries from the deadline timer and publish failures
 * from the producer: every state change and every call on {@link ChunkAnswers} happens under this object's lock, so
 * answers are serialized. Flow control both ways: the stream asks for at most {@code maxInFlightChunks} chunks up
 * front and for one more each time it hands an answer to the client's transport, which it does only while that
 * transport is ready ({@link ChunkAnswers#ready}); answers the client is not reading wait here, in order, until the
 * on-ready callback ({@link #clientReady}). So a stream holds at most {@code maxInFlightChunks} chunks, pending or
 * answered, however slowly its client reads, and their rows count in the gateway's token cap until handed over.
 */
final class InferStream implements StreamObserver<InferChunk>, ChunkOwner {

    /** A published chunk waiting for its output. */
    private record SentChunk(ChunkKey key, String clientRequestId, DType dtype, int rows, long publishedNanos) {
    }

    /** A chunk's answer, with the rows it holds in the token cap until it is handed to the client. */
    private record Answer(InferResult result, int rows) {
    }

    private final InferStreams shared;
    private final ChunkAnswers answers;
    private final ChunkValidator validator;
    private final OrderedReplies<Answer> replies = new OrderedReplies<>();
    private final Map<Long, SentChunk> sent = new HashMap<>();
    /** Answers released in order and not yet handed to the client, who is not reading them. */
    private final ArrayDeque<Answer> unsent = new ArrayDeque<>();
    /** How the stream ends once {@link #unsent} is handed over; null while it goes on. */
    private Status endAfterUnsent;
    /** Tokens this stream holds in the gateway's cap: chunks taken and not yet answered to the client, nor failed. */
    private int heldRows;
    private boolean inputClosed;
    private boolean finished;
    /** The request id of this stream's chunks on the topics ({@link StreamRequestIds}). */
    private String topicRequestId;

    InferStream(InferStreams shared, ChunkAnswers answers, ChunkValidator validator) {
        this.shared = shared;
        this.answers = answers;
        this.validator = validator;
    }

    @Override
    public void onNext(InferChunk chunk) {
        ValidChunk valid;
        synchronized (this) {
            if (inputClosed || finished) {
                return;
            }
            try {
                valid = validator.check(chunk);
            } catch (InvalidChunkException e) {
                inputClosed = true;
                replies.endAfterPending(e.status());
                flush();
                return;
            }
            InFlightTokens tokens = shared.tokens();
            if (!tokens.tryAcquire(valid.hidden().rows())) {
                shared.metrics().chunkRefusedOverCap();
                inputClosed = true;
                replies.endAfterPending(Status.RESOURCE_EXHAUSTED.withDescription("chunk " + valid.seq() + " of "
                        + valid.requestId() + " (" + valid.hidden().rows() + " tokens) refused: the gateway's cap of "
                        + tokens.cap() + " tokens in flight (moe.gateway.max-in-flight-tokens) is reached; retry later"));
                flush();
                return;
            }
            heldRows += valid.hidden().rows();
            if (topicRequestId == null) {
                topicRequestId = StreamRequestIds.newFor(valid.requestId());
            }
            register(valid);
        }
        // Outside the lock: a producer waiting for buffer space must not hold up this stream's answers.
        shared.publisher().publish(tokenChunk(valid, chunk, topicRequestId), e -> publishFailed(valid.seq(), e));
    }

    @Override
    public synchronized void onError(Throwable clientError) {
        abandon();
    }

    @Override
    public synchronized void onCompleted() {
        inputClosed = true;
        replies.endAfterPending(Status.OK);
        flush();
    }

    /** The client cancelled the call or went away. */
    synchronized void cancelled() {
        abandon();
    }

    @Override
    public synchronized void chunkCompleted(ChunkKey key, Matrix output) {
        SentChunk chunk = sent.remove(key.seq());
        if (finished || chunk == null) {
            return;
        }
        long now = System.nanoTime();
        shared.metrics().chunkCompleted(now - chunk.publishedNanos());
        // the deadline bounds a stall, not a queue: while chunks of this stream keep completing, those still pending
        // may wait as long as the pipeline's backlog takes (a large model on few cores queues many seconds of work)
        shared.reassembler().postpone(sent.values().stream().map(SentChunk::key).toList(),
                now + shared.settings().chunkDeadline().toNanos());
        replies.complete(key.seq(), new Answer(InferResult.newBuilder()
                .setRequestId(chunk.clientRequestId())
                .setSeq(key.seq())
                .setLayer(key.layer())
                .setOutput(TensorMessages.toProto(output, chunk.dtype()))
                .build(), chunk.rows()));
        flush();
    }

    @Override
    public synchronized void chunkExpired(ExpiredChunk<ChunkOwner> expired) {
        ChunkKey key = expired.key();
        SentChunk chunk = sent.remove(key.seq());
        if (finished || chunk == null) {
            return;
        }
        releaseRows(chunk.rows());
        replies.fail(key.seq(), Status.DEADLINE_EXCEEDED.withDescription(key + " not answered, and no chunk of its"
                + " stream answered, for " + shared.settings().chunkDeadline().toMillis() + " ms: "
                + expired.whatIsMissing()));
        flush();
    }

    @Override
    public synchronized void chunkFailed(ChunkKey key, String reason) {
        SentChunk chunk = sent.remove(key.seq());
        if (finished || chunk == null) {
            return;
        }
        releaseRows(chunk.rows());
        replies.fail(key.seq(), Status.INVALID_ARGUMENT.withDescription(
                "chunk seq " + Long.toUnsignedString(key.seq()) + ": " + reason));
        flush();
    }

    private synchronized void publishFailed(long seq, Exception e) {
        SentChunk chunk = sent.remove(seq);
        if (finished || chunk == null) {
            return;
        }
        releaseRows(chunk.rows());
        shared.reassembler().drop(List.of(chunk.key()));
        replies.fail(seq, Status.UNAVAILABLE.withDescription(
                chunk.key() + " could not be published: " + e.getMessage()).withCause(e));
        flush();
    }

    private void register(ValidChunk valid) {
        ChunkKey key = new ChunkKey(topicRequestId, valid.seq(), valid.layer());
        long now = System.nanoTime();
        replies.expect(valid.seq());
        sent.put(valid.seq(), new SentChunk(key, valid.requestId(), valid.dtype(), valid.hidden().rows(), now));
        // Registered before publishing: the first replies can come back before send() returns.
        shared.reassembler().expect(key, valid.hidden().rows(), now + shared.settings().chunkDeadline().toNanos(), this);
    }

    private static TokenChunk tokenChunk(ValidChunk valid, InferChunk received, String topicRequestId) {
        // the client's bytes as they came, in its dtype: nothing is re-encoded, 16-bit input moves half the bytes, and
        // the router gates on exactly the values the client sent (every 16-bit value widens to FP32 exactly)
        return TokenChunk.newBuilder()
                .setRequestId(topicRequestId)
                .setSeq(valid.seq())
                .setLayer(valid.layer())
                .setHidden(received.getHidden())
                .build();
    }

    private void flush() {
        OrderedReplies.Release<Answer> release = replies.drain();
        unsent.addAll(release.answers());
        release.end().ifPresent(status -> endAfterUnsent = status);
        answerWhileReady();
    }

    /** The client's transport can take more (gRPC's on-ready callback): hand it the answers that waited. */
    synchronized void clientReady() {
        answerWhileReady();
    }

    /** Hands answers over while the client's transport takes them; for each, the stream may take one more chunk. */
    private void answerWhileReady() {
        if (finished) {
            return;
        }
        while (!unsent.isEmpty() && answers.ready()) {
            Answer answer = unsent.removeFirst();
            answers.answer(answer.result());
            releaseRows(answer.rows());
            if (!inputClosed) {
                answers.request(1);
            }
        }
        if (unsent.isEmpty() && endAfterUnsent != null) {
            release();
            answers.end(endAfterUnsent);
        }
    }

    private void releaseRows(int rows) {
        heldRows -= rows;
        shared.tokens().release(rows);
    }

    /** Ends the stream now with {@code status}, whatever is pending (the gateway is going away). */
    synchronized void end(Status status) {
        if (!finished) {
            release();
            answers.end(status);
        }
    }

    private void abandon() {
        if (!finished) {
            release();
        }
    }

    /** Ends this stream's claims: pending chunks are dropped (their late replies are ignored) and the request id freed. */
    private void release() {
        finished = true;
        inputClosed = true;
        shared.reassembler().drop(sent.values().stream().map(SentChunk::key).toList());
        sent.clear();
        unsent.clear();
        releaseRows(heldRows);
        validator.claimedRequestId().ifPresent(shared.activeRequests()::release);
        shared.closed(this);
    }
}
