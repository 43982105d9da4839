package io.moestream.tools.fuzz;

import io.moestream.proto.oip.InferTensorContents;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.oip.ModelInferRequest.InferInputTensor;
import io.moestream.proto.oip.ModelInferRequest.InferRequestedOutputTensor;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Tensor;
import java.util.Random;

/** OIP ModelInfer requests that break one rule of the gateway's OIP mapping (docs/oip.md). */
final class BadOip {
    private BadOip() {
    }

    record Case(String what, ModelInferRequest request, boolean unknownModel) {
    }

    /** A valid raw FP32 request for {@code model}. */
    static ModelInferRequest.Builder valid(BadTensors tensors, String model) {
        return raw(model, tensors.valid(), "FP32");
    }

    static Case next(Random random, BadTensors tensors, String model, int dModel) {
        Tensor t = tensors.valid();
        int rows = t.getRows();
        return switch (random.nextInt(16)) {
            case 0 -> invalid("no inputs", valid(tensors, model).clearInputs().clearRawInputContents());
            case 1 -> invalid("input with another name", valid(tensors, model)
                    .setInputs(0, valid(tensors, model).getInputs(0).toBuilder().setName("x" + random.nextInt(99))));
            case 2 -> invalid("input given twice", valid(tensors, model).addInputs(valid(tensors, model).getInputs(0))
                    .addRawInputContents(t.getData()));
            case 3 -> invalid("unknown datatype", raw(model, t, new String[] {"INT8", "FP64", "BYTES", "", "fp32",
                    "UINT8"}[random.nextInt(6)]));
            case 4 -> invalid("shape of rank 1", valid(tensors, model).setInputs(0, input("FP32", (long) rows * dModel)));
            case 5 -> invalid("wrong d_model in the shape", valid(tensors, model)
                    .setInputs(0, input("FP32", rows, dModel + 1 + random.nextInt(5))));
            case 6 -> invalid("zero or negative rows", valid(tensors, model)
                    .setInputs(0, input("FP32", -random.nextInt(3), dModel)));
            case 7 -> invalid("huge row count", valid(tensors, model)
                    .setInputs(0, input("FP32", random.nextBoolean() ? Long.MAX_VALUE : 1L << 40, dModel)));
            case 8 -> invalid("raw bytes shorter than the shape", valid(tensors, model)
                    .setRawInputContents(0, t.getData().substring(0, t.getData().size() - 1 - random.nextInt(4))));
            case 9 -> invalid("typed values fewer than the shape", typed(model, t, dModel, rows * dModel - 1));
            case 10 -> invalid("FP16 values typed", typed(model, t, dModel, rows * dModel).setInputs(0,
                    input("FP16", rows, dModel).setContents(fp32(rows * dModel))));
            case 11 -> {
                // OIP cuts a request into chunks itself, so a row count over the chunk maximum is no fault there
                BadTensors.Bad bad = tensors.next();
                while (bad.what().startsWith("more rows")) {
                    bad = tensors.next();
                }
                yield invalid("bad raw tensor: " + bad.what(), raw(model, bad.tensor(), datatype(bad.tensor())));
            }
            case 12 -> invalid("raw and typed values together", valid(tensors, model)
                    .setInputs(0, input("FP32", rows, dModel).setContents(fp32(rows * dModel))));
            case 13 -> invalid("unknown output", valid(tensors, model)
                    .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits" + random.nextInt(9))));
            case 14 -> invalid("two raw_input_contents", valid(tensors, model).addRawInputContents(t.getData()));
            default -> new Case("unknown model", valid(tensors, "moe-layer-" + (1 + random.nextInt(99))).build(), true);
        };
    }

    private static Case invalid(String what, ModelInferRequest.Builder request) {
        return new Case(what, request.build(), false);
    }

    /** The OIP datatype of a tensor's dtype; an unknown dtype value becomes an unknown datatype. */
    private static String datatype(Tensor t) {
        return t.getDtype() == DType.UNRECOGNIZED ? "DTYPE_" + t.getDtypeValue() : t.getDtype().name();
    }

    private static ModelInferRequest.Builder raw(String model, Tensor t, String datatype) {
        return ModelInferRequest.newBuilder().setModelName(model).setId("fuzz")
                .addInputs(input(datatype, Integer.toUnsignedLong(t.getRows()), Integer.toUnsignedLong(t.getCols())))
                .addRawInputContents(t.getData());
    }

    private static ModelInferRequest.Builder typed(String model, Tensor t, int dModel, int values) {
        return ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(input("FP32", t.getRows(), dModel).setContents(fp32(values)));
    }

    private static InferInputTensor.Builder input(String datatype, long... shape) {
        InferInputTensor.Builder input = InferInputTensor.newBuilder().setName("hidden_states").setDatatype(datatype);
        for (long dim : shape) {
            input.addShape(dim);
        }
        return input;
    }

    private static InferTensorContents.Builder fp32(int count) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (int i = 0; i < count; i++) {
            contents.addFp32Contents(0.5f);
        }
        return contents;
    }
}
