package io.moestream.gateway.oip;

import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.oip.ModelInferResponse.InferOutputTensor;
import java.util.Map;

/**
 * Builds the ModelInferResponse of a request: the model name as asked, version "1", the request's id and parameters
 * passed through, and the outputs in the order the client asked for them, their values in raw_output_contents.
 */
final class ResponseEncoder {
    private ResponseEncoder() {
    }

    /** @param outputs one tensor for each of {@code request.outputs()} */
    static ModelInferResponse encode(LayerRequest request, Map<RequestedOutput, OutputTensor> outputs) {
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(request.modelName())
                .setModelVersion(LayerModels.VERSION)
                .setId(request.id())
                .putAllParameters(request.parameters());
        for (RequestedOutput name : request.outputs()) {
            OutputTensor tensor = outputs.get(name);
            response.addOutputs(InferOutputTensor.newBuilder()
                            .setName(name.tensorName())
                            .setDatatype(tensor.datatype())
                            .addAllShape(tensor.shape()))
                    .addRawOutputContents(tensor.data());
        }
        return response.build();
    }
}
