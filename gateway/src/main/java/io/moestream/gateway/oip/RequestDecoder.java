package io.moestream.gateway.oip;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.moestream.core.tensor.InvalidTensorException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.oip.InferTensorContents;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelInferRequest.InferInputTensor;
import io.moestream.proto.oip.ModelInferRequest.InferRequestedOutputTensor;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks a ModelInferRequest against the served layers and decodes its {@code hidden_states}: a served model and
 * version (else NOT_FOUND); exactly one input, named {@code hidden_states}, of datatype FP32, FP16 or BF16, shape
 * {@code [rows >= 1, d_model]}, its values either raw or typed (FP32 only: the protocol has no typed field for 16-bit
 * floats) and as many as the shape says, all finite; known outputs, each asked for once (else INVALID_ARGUMENT with
 * a message naming the problem).
 */
final class RequestDecoder {
    private static final Map<String, DType> DATATYPES =
            Map.of("FP32", DType.FP32, "FP16", DType.FP16, "BF16", DType.BF16);
    private static final String OUTPUT_NAMES =
            Arrays.stream(RequestedOutput.values()).map(RequestedOutput::tensorName).collect(Collectors.joining(", "));

    private final LayerModels models;

    RequestDecoder(LayerModels models) {
        this.models = models;
    }

    /** @throws StatusRuntimeException NOT_FOUND or INVALID_ARGUMENT naming the problem */
    LayerRequest decode(ModelInferRequest request) {
        int layer = models.layerOf(request.getModelName(), request.getModelVersion());
        InferInputTensor input = hiddenStatesInput(request);
        DType dtype = datatype(input);
        int rows = rows(input);
        Tensor wire = request.getRawInputContentsCount() > 0
                ? rawTensor(request, input, dtype, rows)
                : typedTensor(input, dtype, rows);
        Matrix values;
        try {
            values = TensorMessages.fromProto(wire, models.model().dModel(), Integer.MAX_VALUE);
        } catch (InvalidTensorException e) {
            throw invalid("input " + LayerModels.INPUT + ": " + e.getMessage());
        }
        return new LayerRequest(request.getModelName(), layer, request.getId(), request.getParametersMap(),
                new HiddenStates(values, wire), outputs(request));
    }

    private static InferInputTensor hiddenStatesInput(ModelInferRequest request) {
        if (request.getInputsCount() == 0) {
            throw invalid("input " + LayerModels.INPUT + " is missing");
        }
        for (InferInputTensor input : request.getInputsList()) {
            if (!input.getName().equals(LayerModels.INPUT)) {
                throw invalid("unknown input '" + input.getName() + "'; model '" + request.getModelName()
                        + "' takes one input, " + LayerModels.INPUT);
            }
        }
        if (request.getInputsCount() > 1) {
            throw invalid("input " + LayerModels.INPUT + " is given " + request.getInputsCount() + " times");
        }
        if (request.getRawInputContentsCount() > 1) {
            throw invalid("raw_input_contents has " + request.getRawInputContentsCount() + " entries for 1 input");
        }
        return request.getInputs(0);
    }

    private static DType datatype(InferInputTensor input) {
        DType dtype = DATATYPES.get(input.getDatatype());
        if (dtype == null) {
            throw invalid("input " + LayerModels.INPUT + " has datatype '" + input.getDatatype() + "'; accepted: "
                    + LayerModels.ACCEPTED_INPUT_DATATYPES.replace(",", ", "));
        }
        return dtype;
    }

    private int rows(InferInputTensor input) {
        int dModel = models.model().dModel();
        List<Long> shape = input.getShapeList();
        if (shape.size() != 2 || shape.get(1) != dModel || shape.get(0) < 1 || shape.get(0) > Integer.MAX_VALUE) {
            throw invalid("input " + LayerModels.INPUT + " has shape " + shape + "; the model takes [-1, " + dModel
                    + "] (rows >= 1)");
        }
        return shape.get(0).intValue();
    }

    private Tensor rawTensor(ModelInferRequest request, InferInputTensor input, DType dtype, int rows) {
        if (input.hasContents()) {
            throw invalid("input " + LayerModels.INPUT + " has values both in contents and in raw_input_contents");
        }
        int dModel = models.model().dModel();
        ByteString raw = request.getRawInputContents(0);
        long expected = (long) rows * dModel * TensorCodec.elementSize(dtype);
        if (raw.size() != expected) {
            throw invalid("input " + LayerModels.INPUT + " of shape [" + rows + ", " + dModel + "] and datatype "
                    + dtype + " needs " + expected + " bytes; raw_input_contents[0] has " + raw.size());
        }
        return Tensor.newBuilder().setRows(rows).setCols(dModel).setDtype(dtype).setData(raw).build();
    }

    private Tensor typedTensor(InferInputTensor input, DType dtype, int rows) {
        if (dtype != DType.FP32) {
            throw invalid("input " + LayerModels.INPUT + " of datatype " + dtype + " must come in raw_input_contents:"
                    + " the protocol has no typed field for 16-bit floats");
        }
        InferTensorContents contents = input.getContents();
        List<String> otherFields = otherTypedFields(contents);
        if (!otherFields.isEmpty()) {
            throw invalid("input " + LayerModels.INPUT + " is FP32 but carries " + String.join(", ", otherFields)
                    + "; FP32 values go in contents.fp32_contents");
        }
        int dModel = models.model().dModel();
        long expected = (long) rows * dModel;
        if (contents.getFp32ContentsCount() != expected) {
            throw invalid("input " + LayerModels.INPUT + " of shape [" + rows + ", " + dModel + "] needs " + expected
                    + " values in contents.fp32_contents; it has " + contents.getFp32ContentsCount());
        }
        float[] values = new float[(int) expected];
        for (int i = 0; i < values.length; i++) {
            values[i] = contents.getFp32Contents(i);
        }
        return TensorMessages.toProto(new Matrix(rows, dModel, values), DType.FP32);
    }

    private static List<String> otherTypedFields(InferTensorContents c) {
        List<String> fields = new ArrayList<>();
        addIf(fields, c.getBoolContentsCount(), "bool_contents");
        addIf(fields, c.getIntContentsCount(), "int_contents");
        addIf(fields, c.getInt64ContentsCount(), "int64_contents");
        addIf(fields, c.getUintContentsCount(), "uint_contents");
        addIf(fields, c.getUint64ContentsCount(), "uint64_contents");
        addIf(fields, c.getFp64ContentsCount(), "fp64_contents");
        addIf(fields, c.getBytesContentsCount(), "bytes_contents");
        return fields;
    }

    private static void addIf(List<String> fields, int count, String field) {
        if (count > 0) {
            fields.add(field);
        }
    }

    private static List<RequestedOutput> outputs(ModelInferRequest request) {
        if (request.getOutputsCount() == 0) {
            return List.of(RequestedOutput.OUTPUT);
        }
        List<RequestedOutput> outputs = new ArrayList<>();
        for (InferRequestedOutputTensor asked : request.getOutputsList()) {
            RequestedOutput output = RequestedOutput.named(asked.getName()).orElseThrow(() -> invalid(
                    "unknown output '" + asked.getName() + "'; model outputs: " + OUTPUT_NAMES));
            if (outputs.contains(output)) {
                throw invalid("output '" + asked.getName() + "' is requested twice");
            }
            outputs.add(output);
        }
        return outputs;
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
