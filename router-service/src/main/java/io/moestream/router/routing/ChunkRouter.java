package io.moestream.router.routing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.load.ChunkLoad;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.ExpertAssignment;
import io.moestream.core.routing.GateWeighting;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.RoutedChunk;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.routing.RoutingStats;
import io.moestream.core.tensor.GateWeights;
import io.moestream.core.tensor.InvalidTensorException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.Topics;
import io.moestream.core.topics.WireHeaders;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.GateWeightTarget;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.Tensor;
import io.moestream.proto.v1.TokenChunk;
import io.moestream.router.routing.RouteOutcome.Rejected;
import io.moestream.router.routing.RouteOutcome.Routed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Routes one token chunk of one MoE layer: one gate product for all its rows, the routing policy, then one
 * {@link ExpertTask} per chosen expert and a {@link RouteManifest} for the gateway. Holds no per-request
 * state and only immutable fields, so one instance serves every stream thread.
 */
public final class ChunkRouter {
    private final Topics topics;
    private final SortedMap<Integer, LayerRouter> routers;
    private final ChunkLimits limits;
    private final DType taskDtype;

    /**
     * {@code routers}: one per MoE layer; a chunk for any other layer is rejected. The tasks' rows go in the chunk's
     * own dtype when it is 16-bit (the values came in it, so nothing is lost and nothing is wider than needed), else
     * as {@code taskDtype} wherever they fit its range (see {@link TensorMessages#toWire}).
     */
    public ChunkRouter(Topics topics, Map<Integer, LayerRouter> routers, ChunkLimits limits, DType taskDtype) {
        if (routers.isEmpty()) {
            throw new IllegalArgumentException("the router needs the gate of at least one MoE layer");
        }
        this.topics = topics;
        this.routers = Collections.unmodifiableSortedMap(new TreeMap<>(routers));
        this.limits = limits;
        this.taskDtype = taskDtype;
    }

    /** A router over every MoE layer of {@code model}, routing as the model's family does. */
    public static ChunkRouter forModel(MoeModel model, Topics topics, int maxChunkRows) {
        return forModel(model, topics, maxChunkRows, RoutingOptions.NONE, model.moeLayers(), DType.FP32);
    }

    /**
     * A router over the {@code layers} of {@code model}: the family's routing with {@code options} on top, tasks in
     * {@code taskDtype}.
     */
    public static ChunkRouter forModel(MoeModel model, Topics topics, int maxChunkRows, RoutingOptions options,
                                       SortedSet<Integer> layers, DType taskDtype) {
        Map<Integer, LayerRouter> routers = new TreeMap<>();
        for (int layer : layers) {
            routers.put(layer, model.router(layer, options));
        }
        return new ChunkRouter(topics, routers, new ChunkLimits(model.config().dModel(), maxChunkRows), taskDtype);
    }

    /** The MoE layers this router accepts, ascending. */
    public SortedSet<Integer> layers() {
        return new TreeSet<>(routers.keySet());
    }

    /** Routed experts per layer, as the gate of the first MoE layer has them. */
    public int numExperts() {
        return routers.get(routers.firstKey()).numExperts();
    }

    /**
     * Decodes, validates and routes one chunk.
     *
     * @param chunk   the record value, a serialized {@link TokenChunk}; may be null (a tombstone)
     * @param replyTo the value of the chunk's reply-to header, or null when the header is missing
     */
    public RouteOutcome route(byte[] chunk, String replyTo) {
        if (chunk == null) {
            return new Rejected("record has no value (expected a TokenChunk)", null);
        }
        Optional<String> replyToProblem = WireHeaders.replyToProblem(topics, replyTo);
        if (replyToProblem.isPresent()) {
            return new Rejected(replyToProblem.get(), chunk);
        }
        TokenChunk message;
        try {
            message = TokenChunk.parseFrom(chunk);
        } catch (InvalidProtocolBufferException e) {
            return new Rejected("undecodable TokenChunk: " + e.getMessage(), chunk);
        }
        if (message.getRequestId().isEmpty()) {
            return new Rejected("TokenChunk has no request_id", chunk);
        }
        LayerRouter router = routers.get(message.getLayer());
        if (router == null) {
            return new Rejected("layer " + Integer.toUnsignedString(message.getLayer()) + " is not a served MoE layer"
                    + " (served layers " + routers.keySet() + ")", chunk);
        }
        if (!message.hasHidden()) {
            return new Rejected("TokenChunk has no hidden tensor", chunk);
        }
        Matrix hidden;
        try {
            hidden = TensorMessages.fromProto(message.getHidden(), limits.dModel(), limits.maxRows());
        } catch (InvalidTensorException e) {
            return new Rejected("invalid hidden tensor: " + e.getMessage(), chunk);
        }
        // logits: (rows, n_experts)
        Matrix logits = router.logits(hidden);
        Optional<String> overflow = LayerRouter.logitOverflow(logits);
        if (overflow.isPresent()) {
            return new Rejected(overflow.get(), chunk);
        }
        RoutedChunk routed = router.route(hidden, logits);
        return new Routed(fanOut(message, hidden, routed, router.weighting(), replyTo), routed.stats(),
                ChunkLoad.of(message.getLayer(), logits, routed.assignments()));
    }

    private List<AddressedRecord> fanOut(TokenChunk chunk, Matrix hidden, RoutedChunk routed, GateWeighting weighting,
                                         String replyTo) {
        List<ExpertAssignment> assignments = routed.assignments();
        List<AddressedRecord> records = new ArrayList<>(assignments.size() + 1);
        RoutingStats stats = routed.stats();
        RouteManifest.Builder manifest = RouteManifest.newBuilder()
                .setRequestId(chunk.getRequestId())
                .setSeq(chunk.getSeq())
                .setLayer(chunk.getLayer())
                .setRows(hidden.rows())
                .setRequestedAssignments(stats.requested())
                .setSkippedAssignments(stats.skipped())
                .setDroppedAssignments(stats.dropped())
                .setReroutedAssignments(stats.rerouted());
        assignments.forEach(a -> manifest.addExperts(a.expert()));
        // the manifest goes first so that the gateway usually knows how many parts to await before any arrives
        records.add(new AddressedRecord(replyTo, Reply.newBuilder().setManifest(manifest).build().toByteArray()));
        for (ExpertAssignment assignment : assignments) {
            records.add(new AddressedRecord(topics.expert(chunk.getLayer(), assignment.expert()),
                    task(chunk, hidden, assignment, weighting).toByteArray()));
        }
        return records;
    }

    private ExpertTask task(TokenChunk chunk, Matrix hidden, ExpertAssignment assignment, GateWeighting weighting) {
        ExpertTask.Builder task = ExpertTask.newBuilder()
                .setRequestId(chunk.getRequestId())
                .setSeq(chunk.getSeq())
                .setLayer(chunk.getLayer())
                .setExpert(assignment.expert())
                .setGateWeights(GateWeights.encode(assignment.gateWeights()))
                .setGateWeightTarget(weighting == GateWeighting.INPUT
                        ? GateWeightTarget.GATE_WEIGHTS_ON_INPUT : GateWeightTarget.GATE_WEIGHTS_ON_OUTPUT)
                // rows: (rows routed to this expert, d_model)
                .setRows(rows(chunk.getHidden().getDtype(), hidden.gatherRows(assignment.rowIndex())));
        for (int row : assignment.rowIndex()) {
            task.addRowIndex(row);
        }
        return task.build();
    }

    /** A 16-bit chunk's values all came in its dtype, so they need no range check to go back in it. */
    private Tensor rows(DType sent, Matrix gathered) {
        return sent == DType.FP32 ? TensorMessages.toWire(gathered, taskDtype) : TensorMessages.toProto(gathered, sent);
    }
}
