package io.moestream.gateway.api;

import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Releases a stream's answers strictly in the order its chunks were sent, whatever order they complete in, and
 * ends the stream only after every earlier chunk was answered. Not thread-safe: the stream calls it under its lock.
 *
 * @param <T> the answer of one chunk
 */
public final class OrderedReplies<T> {

    /** What may be sent now: answers in order, then possibly the stream's end. */
    public record Release<T>(List<T> answers, Optional<Status> end) {
    }

    private static final class Slot<T> {
        final long seq;
        T answer;
        Status failure;

        Slot(long seq) {
            this.seq = seq;
        }
    }

    private final ArrayDeque<Slot<T>> slots = new ArrayDeque<>();
    private final Map<Long, Slot<T>> bySeq = new HashMap<>();
    private Status endAfterPending;
    private boolean ended;

    /** A chunk was sent; its answer goes out after those of the chunks sent before it. */
    public void expect(long seq) {
        Slot<T> slot = new Slot<>(seq);
        slots.addLast(slot);
        bySeq.put(seq, slot);
    }

    public void complete(long seq, T answer) {
        Slot<T> slot = bySeq.remove(seq);
        if (slot != null) {
            slot.answer = answer;
        }
    }

    /** The chunk cannot be answered: once the earlier chunks are answered, the stream ends with {@code status}. */
    public void fail(long seq, Status status) {
        Slot<T> slot = bySeq.remove(seq);
        if (slot != null) {
            slot.failure = status;
        }
    }

    /** No chunk follows: end with {@code status} once every chunk sent so far is answered. The first call wins. */
    public void endAfterPending(Status status) {
        if (endAfterPending == null) {
            endAfterPending = status;
        }
    }

    /** Takes what can be sent now. After an end was released, nothing more is. */
    public Release<T> drain() {
        List<T> answers = new ArrayList<>();
        if (ended) {
            return new Release<>(answers, Optional.empty());
        }
        while (!slots.isEmpty()) {
            Slot<T> head = slots.peekFirst();
            if (head.failure != null) {
                return end(answers, head.failure);
            }
            if (head.answer == null) {
                return new Release<>(answers, Optional.empty());
            }
            slots.removeFirst();
            answers.add(head.answer);
        }
        return endAfterPending == null ? new Release<>(answers, Optional.empty()) : end(answers, endAfterPending);
    }

    private Release<T> end(List<T> answers, Status status) {
        ended = true;
        return new Release<>(answers, Optional.of(status));
    }
}
