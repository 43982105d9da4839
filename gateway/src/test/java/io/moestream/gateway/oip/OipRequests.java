package io.moestream.gateway.oip;

import io.moestream.core.kernel.GateScorer;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.TopKRouting;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.gateway.support.Chunks;
import io.moestream.proto.oip.InferTensorContents;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelInferRequest.InferInputTensor;
import io.moestream.proto.oip.ModelInferRequest.InferRequestedOutputTensor;
import io.moestream.proto.oip.ModelInferResponse;
import io.moestream.proto.v1.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** A small served model and the ModelInfer requests the OIP tests send to it. */
final class OipRequests {
    static final int D_MODEL = 4;
    static final int EXPERTS = 3;
    static final int TOP_K = 2;

    private OipRequests() {
    }

    /** Seeded random gates {@code [n_experts, d_model]} of the MoE layers 0 and 2 (layer 1 is not one). */
    static final Map<Integer, Matrix> GATES =
            Map.of(0, Chunks.random(EXPERTS, D_MODEL, 100), 2, Chunks.random(EXPERTS, D_MODEL, 102));

    /** A Mixtral-routed model with {@link #GATES}. */
    static ServedModel model() {
        SortedMap<Integer, LayerRouter> routers = new TreeMap<>();
        GATES.forEach((layer, gate) -> routers.put(layer,
                new LayerRouter(new GateScorer(gate), TopKRouting.mixtral(TOP_K), Optional.empty())));
        return new ServedModel(D_MODEL, EXPERTS, TOP_K, routers);
    }

    /** {@code hidden_states} of {@code x} as raw bytes of {@code dtype}. */
    static ModelInferRequest.Builder raw(String model, Matrix x, DType dtype) {
        return ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(input(dtype.name(), x.rows(), x.cols()))
                .addRawInputContents(TensorMessages.toProto(x, dtype).getData());
    }

    /** {@code hidden_states} of {@code x} in {@code contents.fp32_contents}. */
    static ModelInferRequest.Builder typed(String model, Matrix x) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float v : x.data()) {
            contents.addFp32Contents(v);
        }
        return ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(input("FP32", x.rows(), x.cols()).setContents(contents));
    }

    static InferInputTensor.Builder input(String datatype, long... shape) {
        InferInputTensor.Builder input = InferInputTensor.newBuilder().setName("hidden_states").setDatatype(datatype);
        for (long dim : shape) {
            input.addShape(dim);
        }
        return input;
    }

    static InferRequestedOutputTensor output(String name) {
        return InferRequestedOutputTensor.newBuilder().setName(name).build();
    }

    /** Output {@code index} of a response, decoded from raw_output_contents as floats of {@code dtype}. */
    static Matrix floatOutput(ModelInferResponse response, int index, DType dtype) {
        ModelInferResponse.InferOutputTensor tensor = response.getOutputs(index);
        int rows = (int) tensor.getShape(0);
        int cols = (int) tensor.getShape(1);
        ByteBuffer bytes = response.getRawOutputContents(index).asReadOnlyByteBuffer();
        return new Matrix(rows, cols, TensorCodec.decode(bytes, dtype, rows * cols));
    }

    /** Output {@code index} of a response, decoded from raw_output_contents as little-endian INT32. */
    static int[] intOutput(ModelInferResponse response, int index) {
        ByteBuffer bytes = response.getRawOutputContents(index).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int[] values = new int[bytes.remaining() / Integer.BYTES];
        for (int i = 0; i < values.length; i++) {
            values[i] = bytes.getInt();
        }
        return values;
    }
}
