package io.moestream.gateway.validation;

import io.grpc.Status;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.tensor.InvalidTensorException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.InferChunk;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the chunks of one stream, in the order they arrive: one non-empty request id for the whole stream and not
 * streaming elsewhere on this gateway, seq unique in the stream, a MoE layer of the model, and a valid hidden tensor
 * (dtype, d_model, byte length, 1..max rows, all finite) whose gate logits are finite too. Messages start with the chunk's seq. Not thread-safe: one
 * per stream, called under the stream's lock.
 */
public final class ChunkValidator {
    private final ModelShape model;
    private final int maxChunkRows;
    private final ActiveRequests activeRequests;
    private final Set<Long> seqs = new HashSet<>();
    private String requestId;

    public ChunkValidator(ModelShape model, int maxChunkRows, ActiveRequests activeRequests) {
        this.model = model;
        this.maxChunkRows = maxChunkRows;
        this.activeRequests = activeRequests;
    }

    /** The request id this stream claimed with its first valid id, if any. */
    public Optional<String> claimedRequestId() {
        return Optional.ofNullable(requestId);
    }

    /** @throws InvalidChunkException naming the problem, with INVALID_ARGUMENT or ALREADY_EXISTS */
    public ValidChunk check(InferChunk chunk) {
        String prefix = "chunk seq " + Long.toUnsignedString(chunk.getSeq()) + ": ";
        checkRequestId(chunk.getRequestId(), prefix);
        if (!seqs.add(chunk.getSeq())) {
            throw invalid(prefix + "seq " + Long.toUnsignedString(chunk.getSeq()) + " was already sent on this stream");
        }
        if (!model.servedLayers().contains(chunk.getLayer())) {
            throw invalid(prefix + "layer " + Integer.toUnsignedString(chunk.getLayer())
                    + " is not a served MoE layer (served layers: " + model.servedLayers() + ")");
        }
        if (!chunk.hasHidden()) {
            throw invalid(prefix + "hidden tensor is missing");
        }
        Matrix hidden;
        try {
            hidden = TensorMessages.fromProto(chunk.getHidden(), model.dModel(), maxChunkRows);
        } catch (InvalidTensorException e) {
            throw invalid(prefix + e.getMessage());
        }
        LayerRouter gate = model.gates().get(chunk.getLayer());
        if (gate != null && !gate.logitsSurelyFinite(hidden)) {
            // the router dead-letters such a chunk, which would leave it to time out here; only inputs large enough
            // to overflow pay for the gate product here
            Optional<String> overflow = LayerRouter.logitOverflow(gate.logits(hidden));
            if (overflow.isPresent()) {
                throw invalid(prefix + overflow.get() + " (hidden values too large)");
            }
        }
        return new ValidChunk(requestId, chunk.getSeq(), chunk.getLayer(), hidden, chunk.getHidden().getDtype());
    }

    private void checkRequestId(String id, String prefix) {
        if (id.isEmpty()) {
            throw invalid(prefix + "request_id is empty");
        }
        if (requestId == null) {
            if (!activeRequests.claim(id)) {
                throw new InvalidChunkException(Status.Code.ALREADY_EXISTS,
                        prefix + "request_id '" + id + "' already has an open stream on this gateway");
            }
            requestId = id;
        } else if (!requestId.equals(id)) {
            throw invalid(prefix + "request_id changed from '" + requestId + "' to '" + id + "' within one stream");
        }
    }

    private static InvalidChunkException invalid(String message) {
        return new InvalidChunkException(Status.Code.INVALID_ARGUMENT, message);
    }
}
