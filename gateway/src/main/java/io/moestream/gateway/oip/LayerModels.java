package io.moestream.gateway.oip;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.moestream.proto.oip.ModelMetadataResponse;
import io.moestream.proto.oip.ModelMetadataResponse.TensorMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The served MoE layers as OIP models: layer L is the model {@code moe-layer-L}, with the single version "1". Finds a
 * request's layer by model name and version, and describes a layer's inputs and outputs.
 */
final class LayerModels {
    static final String NAME_PREFIX = "moe-layer-";
    static final String VERSION = "1";
    static final String PLATFORM = "moe-stream";
    static final String INPUT = "hidden_states";
    static final String ACCEPTED_INPUT_DATATYPES = "FP32,FP16,BF16";

    private final ServedModel model;
    private final Map<String, Integer> layersByName = new LinkedHashMap<>();

    LayerModels(ServedModel model) {
        this.model = model;
        for (int layer : model.layers()) {
            layersByName.put(NAME_PREFIX + layer, layer);
        }
    }

    ServedModel model() {
        return model;
    }

    /**
     * The layer a model name and version stand for; an empty version means the latest, which is "1".
     *
     * @throws StatusRuntimeException NOT_FOUND naming the served models or versions
     */
    int layerOf(String name, String version) {
        Integer layer = layersByName.get(name);
        if (layer == null) {
            throw Status.NOT_FOUND.withDescription("model '" + name + "' is not served here; models: "
                    + String.join(", ", layersByName.keySet())).asRuntimeException();
        }
        if (!version.isEmpty() && !version.equals(VERSION)) {
            throw Status.NOT_FOUND.withDescription("model '" + name + "' has no version '" + version
                    + "'; versions: " + VERSION).asRuntimeException();
        }
        return layer;
    }

    /** @throws StatusRuntimeException NOT_FOUND for an unknown model or version */
    ModelMetadataResponse metadata(String name, String version) {
        layerOf(name, version);
        return ModelMetadataResponse.newBuilder()
                .setName(name)
                .addVersions(VERSION)
                .setPlatform(PLATFORM)
                .addInputs(tensor(INPUT, "FP32", model.dModel()))
                .addOutputs(tensor(RequestedOutput.OUTPUT.tensorName(), "FP32", model.dModel()))
                .addOutputs(tensor(RequestedOutput.ROUTER_LOGITS.tensorName(), "FP32", model.numExperts()))
                .addOutputs(tensor(RequestedOutput.EXPERT_IDS.tensorName(), "INT32", model.topK()))
                .putProperties("d_model", Integer.toString(model.dModel()))
                .putProperties("num_experts", Integer.toString(model.numExperts()))
                .putProperties("top_k", Integer.toString(model.topK()))
                .putProperties("input_datatypes", ACCEPTED_INPUT_DATATYPES)
                .putProperties("output_datatype", "the datatype of " + INPUT)
                .putProperties("default_outputs", RequestedOutput.OUTPUT.tensorName())
                .build();
    }

    private static TensorMetadata tensor(String name, String datatype, int cols) {
        return TensorMetadata.newBuilder()
                .setName(name)
                .setDatatype(datatype)
                .addAllShape(List.of(-1L, (long) cols))
                .build();
    }
}
