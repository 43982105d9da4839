package io.moestream.gateway.reassembly;

import io.moestream.core.placement.ExpertId;
import io.moestream.core.reassembly.ChunkKey;
import io.moestream.core.reassembly.ExpiredChunk;
import io.moestream.core.reassembly.IgnoreReason;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.core.reassembly.ReplyOutcome;
import io.moestream.core.tensor.InvalidTensorException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import java.util.List;
import org.jboss.logging.Logger;

/** Feeds the replies read from the gateway's reply topic into the reassembler and tells owners what came of it. */
public final class ReplyDispatcher {
    private static final Logger LOG = Logger.getLogger(ReplyDispatcher.class);

    private final Reassembler<ChunkOwner> reassembler;
    private final int dModel;
    private final int maxChunkRows;
    private final GatewayMetrics metrics;

    public ReplyDispatcher(Reassembler<ChunkOwner> reassembler, int dModel, int maxChunkRows, GatewayMetrics metrics) {
        this.reassembler = reassembler;
        this.dModel = dModel;
        this.maxChunkRows = maxChunkRows;
        this.metrics = metrics;
    }

    /** Applies one reply; called by the reply listener's thread. */
    public void onReply(Reply reply) {
        ReplyOutcome<ChunkOwner> outcome = switch (reply.getBodyCase()) {
            case MANIFEST -> onManifest(reply.getManifest());
            case RESULT -> onResult(reply.getResult());
            case BODY_NOT_SET -> new ReplyOutcome.Ignored<>(IgnoreReason.MALFORMED, "reply with neither manifest nor result");
        };
        settle(outcome);
    }

    /** Reports a record of the reply topic that is not a Reply at all. */
    public void onUnreadable(String why) {
        settle(new ReplyOutcome.Ignored<>(IgnoreReason.MALFORMED, why));
    }

    /** Ends every chunk whose deadline has passed; called by the deadline timer. */
    public void expire(long nowNanos) {
        List<ExpiredChunk<ChunkOwner>> expired = reassembler.expire(nowNanos);
        for (ExpiredChunk<ChunkOwner> chunk : expired) {
            chunk.owner().chunkExpired(chunk);
        }
    }

    private ReplyOutcome<ChunkOwner> onManifest(RouteManifest m) {
        ChunkKey key = ChunkKey.of(m);
        int[] experts = m.getExpertsList().stream().mapToInt(Integer::intValue).toArray();
        ReplyOutcome<ChunkOwner> outcome = reassembler.onManifest(key, m.getRows(), experts);
        if (!(outcome instanceof ReplyOutcome.Ignored<ChunkOwner>)) {
            // counted once per chunk: a duplicate manifest (a second router) is ignored above
            metrics.assignmentsRouted(m.getRequestedAssignments(), m.getSkippedAssignments(), m.getDroppedAssignments(),
                    m.getReroutedAssignments());
        }
        return outcome;
    }

    private ReplyOutcome<ChunkOwner> onResult(ExpertResult r) {
        ChunkKey key = ChunkKey.of(r);
        Matrix weighted;
        try {
            weighted = TensorMessages.fromProto(r.getWeighted(), dModel, maxChunkRows);
        } catch (InvalidTensorException e) {
            if (e.nonFinite()) {
                // finite inputs too large for the layer overflow in the expert: no answer can come, so say why now
                reassembler.remove(key).ifPresent(owner -> owner.chunkFailed(key, "the output of expert "
                        + new ExpertId(key.layer(), r.getExpert()).name() + " is not finite (" + e.getMessage()
                        + "): the hidden values are too large for this layer"));
            }
            return new ReplyOutcome.Ignored<>(IgnoreReason.MALFORMED,
                    "result of expert " + r.getExpert() + " for " + key + ": " + e.getMessage());
        }
        int[] rowIndex = r.getRowIndexList().stream().mapToInt(Integer::intValue).toArray();
        return reassembler.onResult(key, r.getExpert(), rowIndex, weighted);
    }

    private void settle(ReplyOutcome<ChunkOwner> outcome) {
        if (outcome instanceof ReplyOutcome.Completed<ChunkOwner> done) {
            done.owner().chunkCompleted(done.key(), done.output());
        } else if (outcome instanceof ReplyOutcome.Ignored<ChunkOwner> ignored) {
            metrics.replyIgnored(ignored.reason());
            LOG.debugf("reply ignored (%s): %s", ignored.reason(), ignored.detail());
        }
    }
}
