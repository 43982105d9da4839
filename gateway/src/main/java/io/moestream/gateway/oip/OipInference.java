package io.moestream.gateway.oip;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.moestream.gateway.api.InferStreams;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.v1.DType;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs ModelInfer requests: decodes and checks one, computes its router outputs when asked for, and sends its
 * hidden states through the pipeline when {@code output} is asked for (a {@link LayerCall} per request, under a
 * request id of its own so that clients may reuse theirs).
 */
public final class OipInference {

    /** One request in progress: its response, or a failure carrying the gRPC status; and a way to abandon it. */
    record Running(CompletableFuture<ModelInferResponse> response, Runnable cancel) {
    }

    private final LayerModels models;
    private final RequestDecoder decoder;
    private final RouterOutputs router;
    private final InferStreams streams;
    private final OipSettings settings;
    private final Executor executor;
    private final AtomicLong requests = new AtomicLong();

    public OipInference(ServedModel model, InferStreams streams, OipSettings settings, Executor executor) {
        this.models = new LayerModels(model);
        this.decoder = new RequestDecoder(models);
        this.router = new RouterOutputs(model);
        this.streams = streams;
        this.settings = settings;
        this.executor = executor;
    }

    LayerModels models() {
        return models;
    }

    OipSettings settings() {
        return settings;
    }

    Running start(ModelInferRequest request) {
        LayerRequest decoded;
        Map<RequestedOutput, OutputTensor> outputs;
        try {
            decoded = decoder.decode(request);
            outputs = router.compute(decoded.layer(), decoded.hidden().values(), EnumSet.copyOf(decoded.outputs()));
        } catch (StatusRuntimeException e) {
            return new Running(CompletableFuture.failedFuture(e), () -> { });
        }
        if (!decoded.outputs().contains(RequestedOutput.OUTPUT)) {
            return new Running(CompletableFuture.completedFuture(ResponseEncoder.encode(decoded, outputs)), () -> { });
        }
        LayerCall call = new LayerCall(internalId(decoded.id()), decoded.layer(), decoded.hidden(),
                settings.chunkRows(), executor);
        CompletableFuture<ModelInferResponse> response = call.start(streams).thenApply(data -> {
            outputs.put(RequestedOutput.OUTPUT, layerOutput(decoded, data));
            return ResponseEncoder.encode(decoded, outputs);
        });
        return new Running(response, call::cancel);
    }

    /** The status a failed request ends with: its own, or INTERNAL for anything that is not a gRPC status. */
    static Status statusOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (cause instanceof StatusRuntimeException e) {
            return e.getStatus();
        }
        return Status.INTERNAL.withDescription("request failed: " + cause).withCause(cause);
    }

    private OutputTensor layerOutput(LayerRequest request, ByteString data) {
        DType dtype = request.hidden().wire().getDtype();
        List<Long> shape = List.of((long) request.hidden().rows(), (long) models.model().dModel());
        return new OutputTensor(dtype.name(), shape, data);
    }

    /** Unique on this gateway, and naming the client's id so that pipeline messages can be traced back to it. */
    private String internalId(String clientId) {
        long n = requests.incrementAndGet();
        return clientId.isEmpty() ? "oip-" + n : "oip-" + n + "-" + clientId;
    }
}
