package io.moestream.core.reassembly;

import io.moestream.core.tensor.Matrix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Sums the gate-weighted expert results of each pending chunk into its output and says when a chunk is complete:
 * its route manifest is in and every expert the manifest lists has answered. Results may come before the
 * manifest; a repeated result (same chunk, same expert) is ignored, so at-least-once redelivery is harmless.
 * Thread-safe; it never calls out, so callers may hold their own locks while calling it.
 *
 * @param <O> what the caller attaches to a chunk to find its owner again on completion or expiry
 */
public final class Reassembler<O> {
    private final int dModel;
    private final Map<ChunkKey, PendingChunk<O>> pending = new HashMap<>();

    public Reassembler(int dModel) {
        this.dModel = dModel;
    }

    /** Starts reassembly of a chunk of {@code rows} rows that must be complete by {@code deadlineNanos}. */
    public synchronized void expect(ChunkKey key, int rows, long deadlineNanos, O owner) {
        if (pending.putIfAbsent(key, new PendingChunk<>(owner, rows, dModel, deadlineNanos)) != null) {
            throw new IllegalStateException(key + " is already pending");
        }
    }

    /** Records the chunk's route manifest: the experts that received rows of it, each of which will answer once. */
    public synchronized ReplyOutcome<O> onManifest(ChunkKey key, int rows, int[] experts) {
        PendingChunk<O> chunk = pending.get(key);
        if (chunk == null) {
            return new ReplyOutcome.Ignored<>(IgnoreReason.UNKNOWN_CHUNK, "manifest for " + key);
        }
        if (chunk.hasManifest()) {
            return new ReplyOutcome.Ignored<>(IgnoreReason.DUPLICATE, "second manifest for " + key);
        }
        if (rows != chunk.output.rows()) {
            return new ReplyOutcome.Ignored<>(IgnoreReason.MALFORMED,
                    "manifest for " + key + " has " + rows + " rows, the chunk " + chunk.output.rows());
        }
        TreeSet<Integer> expected = new TreeSet<>();
        for (int e : experts) {
            expected.add(e);
        }
        chunk.setManifest(expected);
        return completeIfDone(key, chunk);
    }

    /** Adds one expert's weighted rows {@code [rowIndex.length, d_model]} into the chunk's output rows. */
    public synchronized ReplyOutcome<O> onResult(ChunkKey key, int expert, int[] rowIndex, Matrix weighted) {
        PendingChunk<O> chunk = pending.get(key);
        if (chunk == null) {
            return new ReplyOutcome.Ignored<>(IgnoreReason.UNKNOWN_CHUNK, "result of expert " + expert + " for " + key);
        }
        if (chunk.answered.contains(expert)) {
            return new ReplyOutcome.Ignored<>(IgnoreReason.DUPLICATE, "second result of expert " + expert + " for " + key);
        }
        Optional<String> problem = shapeProblem(chunk, expert, rowIndex, weighted);
        if (problem.isPresent()) {
            return new ReplyOutcome.Ignored<>(IgnoreReason.MALFORMED, "result of expert " + expert + " for " + key
                    + ": " + problem.get());
        }
        chunk.add(rowIndex, weighted);
        chunk.answered.add(expert);
        return completeIfDone(key, chunk);
    }

    /** Removes and returns every chunk whose deadline is at or before {@code nowNanos}. */
    public synchronized List<ExpiredChunk<O>> expire(long nowNanos) {
        List<ExpiredChunk<O>> expired = new ArrayList<>();
        for (Iterator<Map.Entry<ChunkKey, PendingChunk<O>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ChunkKey, PendingChunk<O>> entry = it.next();
            PendingChunk<O> chunk = entry.getValue();
            if (chunk.deadlineNanos - nowNanos <= 0) {
                it.remove();
                expired.add(new ExpiredChunk<>(entry.getKey(), chunk.owner,
                        chunk.hasManifest() ? Optional.of(chunk.missing()) : Optional.empty()));
            }
        }
        return expired;
    }

    /**
     * Moves the deadline of those of {@code keys} still pending to {@code deadlineNanos} where that is later: their
     * stream made progress, so waiting is not yet a stall.
     */
    public synchronized void postpone(Collection<ChunkKey> keys, long deadlineNanos) {
        for (ChunkKey key : keys) {
            PendingChunk<O> chunk = pending.get(key);
            if (chunk != null && deadlineNanos - chunk.deadlineNanos > 0) {
                chunk.deadlineNanos = deadlineNanos;
            }
        }
    }

    /** Removes a pending chunk that cannot complete, returning its owner; empty when it is not pending. */
    public synchronized Optional<O> remove(ChunkKey key) {
        PendingChunk<O> chunk = pending.remove(key);
        return chunk == null ? Optional.empty() : Optional.of(chunk.owner);
    }

    /** Forgets chunks whose answer nobody waits for any more; their late replies are then ignored. */
    public synchronized void drop(Collection<ChunkKey> keys) {
        pending.keySet().removeAll(keys);
    }

    /** Number of chunks pending. */
    public synchronized int size() {
        return pending.size();
    }

    private ReplyOutcome<O> completeIfDone(ChunkKey key, PendingChunk<O> chunk) {
        if (!chunk.isComplete()) {
            return new ReplyOutcome.Accepted<>();
        }
        pending.remove(key);
        return new ReplyOutcome.Completed<>(key, chunk.owner, chunk.output);
    }

    private Optional<String> shapeProblem(PendingChunk<O> chunk, int expert, int[] rowIndex, Matrix weighted) {
        if (!chunk.expects(expert)) {
            return Optional.of("expert " + expert + " is not in the route manifest");
        }
        if (weighted.rows() != rowIndex.length || weighted.cols() != dModel) {
            return Optional.of("weighted rows are [" + weighted.rows() + ", " + weighted.cols() + "] for "
                    + rowIndex.length + " row indices and d_model " + dModel);
        }
        int rows = chunk.output.rows();
        for (int r : rowIndex) {
            if (r < 0 || r >= rows) {
                return Optional.of("row index " + r + " is outside the chunk's " + rows + " rows");
            }
        }
        return Optional.empty();
    }
}
