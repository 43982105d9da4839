package io.moestream.tools.replay;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.reassembly.ChunkKey;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.core.reassembly.ReplyOutcome;
import io.moestream.core.tensor.InvalidTensorException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The router manifests and expert results read from one pipeline's reply topics, first of each kept (later ones are
 * at-least-once duplicates, as at the gateway).
 */
final class ReplyBook {
    private final Map<ChunkKey, RouteManifest> manifests = new HashMap<>();
    private final Map<ExpertKey, ExpertResult> results = new HashMap<>();

    void add(byte[] replyBytes) {
        if (replyBytes == null) {
            return;
        }
        Reply reply;
        try {
            reply = Reply.parseFrom(replyBytes);
        } catch (InvalidProtocolBufferException notAReply) {
            return;
        }
        if (reply.hasManifest()) {
            RouteManifest m = reply.getManifest();
            manifests.putIfAbsent(ChunkKey.of(m), m);
        } else if (reply.hasResult()) {
            ExpertResult r = reply.getResult();
            results.putIfAbsent(new ExpertKey(ChunkKey.of(r), r.getExpert()), r);
        }
    }

    /** Whether every expected answer is here: each chunk's manifest and every expert it names, each task's result. */
    boolean covers(ExpectedReplies expected) {
        for (ChunkKey chunk : expected.chunks()) {
            RouteManifest m = manifests.get(chunk);
            if (m == null || m.getExpertsList().stream().anyMatch(e -> !results.containsKey(new ExpertKey(chunk, e)))) {
                return false;
            }
        }
        return expected.tasks().stream().allMatch(results::containsKey);
    }

    Optional<ExpertResult> result(ExpertKey key) {
        return Optional.ofNullable(results.get(key));
    }

    Map<ExpertKey, ExpertResult> results() {
        return results;
    }

    /** The chunk's layer output summed from its expert results by the gateway's reassembler, if all are here. */
    Optional<Matrix> chunkOutput(ChunkKey chunk) {
        RouteManifest m = manifests.get(chunk);
        if (m == null) {
            return Optional.empty();
        }
        Reassembler<ChunkKey> reassembler = null;
        for (int expert : m.getExpertsList()) {
            ExpertResult r = results.get(new ExpertKey(chunk, expert));
            Optional<Matrix> weighted = r == null ? Optional.empty() : decode(r.getWeighted());
            if (weighted.isEmpty()) {
                return Optional.empty();
            }
            if (reassembler == null) {
                reassembler = new Reassembler<>(weighted.get().cols());
                reassembler.expect(chunk, m.getRows(), Long.MAX_VALUE, chunk);
                reassembler.onManifest(chunk, m.getRows(), m.getExpertsList().stream().mapToInt(Integer::intValue).toArray());
            }
            int[] rowIndex = r.getRowIndexList().stream().mapToInt(Integer::intValue).toArray();
            if (reassembler.onResult(chunk, expert, rowIndex, weighted.get()) instanceof ReplyOutcome.Completed<ChunkKey> done) {
                return Optional.of(done.output());
            }
        }
        return Optional.empty();
    }

    /** The tensor as a matrix, or empty if it is not a valid finite tensor (a broken expert's answer). */
    static Optional<Matrix> decode(Tensor t) {
        try {
            return Optional.of(TensorMessages.fromProto(t, t.getCols(), Integer.MAX_VALUE));
        } catch (InvalidTensorException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
