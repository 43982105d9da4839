package io.moestream.gateway.oip;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.Routing;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.proto.v1.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The router's view of a request, for the optional outputs {@code router_logits} and {@code expert_ids}: computed here
 * with the same moe-core code the router runs (the layer's {@link LayerRouter}: gate product, then the family's
 * routing policy), since the pipeline returns only the layer output. One small matrix product per request.
 */
final class RouterOutputs {
    private final Map<Integer, LayerRouter> routers;

    RouterOutputs(ServedModel model) {
        this.routers = model.routers();
    }

    /** The router outputs among {@code wanted} for rows {@code x} of {@code layer}; empty when none is wanted. */
    Map<RequestedOutput, OutputTensor> compute(int layer, Matrix x, Set<RequestedOutput> wanted) {
        Map<RequestedOutput, OutputTensor> outputs = new EnumMap<>(RequestedOutput.class);
        if (!wanted.contains(RequestedOutput.ROUTER_LOGITS) && !wanted.contains(RequestedOutput.EXPERT_IDS)) {
            return outputs;
        }
        LayerRouter router = routers.get(layer);
        // logits: (rows, n_experts)
        Matrix logits = router.logits(x);
        if (wanted.contains(RequestedOutput.ROUTER_LOGITS)) {
            outputs.put(RequestedOutput.ROUTER_LOGITS, new OutputTensor("FP32",
                    List.of((long) x.rows(), (long) logits.cols()),
                    UnsafeByteOperations.unsafeWrap(TensorCodec.encode(logits.data(), DType.FP32))));
        }
        if (wanted.contains(RequestedOutput.EXPERT_IDS)) {
            outputs.put(RequestedOutput.EXPERT_IDS, expertIds(route(router, x, logits)));
        }
        return outputs;
    }

    private static Routing route(LayerRouter router, Matrix x, Matrix logits) {
        try {
            return router.route(x, logits).topK();
        } catch (IllegalArgumentException e) {
            // a finite input can still overflow the gate product
            throw Status.INVALID_ARGUMENT.withDescription("input " + LayerModels.INPUT + ": " + e.getMessage())
                    .asRuntimeException();
        }
    }

    /** expert_ids: (rows, top_k) as INT32, each row's routed experts in the order they were chosen. */
    private static OutputTensor expertIds(Routing routing) {
        ByteBuffer bytes = ByteBuffer.allocate(routing.experts().length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int expert : routing.experts()) {
            bytes.putInt(expert);
        }
        return new OutputTensor("INT32", List.of((long) routing.rows(), (long) routing.k()),
                UnsafeByteOperations.unsafeWrap(bytes.array()));
    }
}
