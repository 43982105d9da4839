package io.moestream.tools.fuzz;

import com.google.protobuf.ByteString;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Tensor;
import java.util.Random;

/** Tensors that each break one rule of the contract (shape, dtype, byte length, finiteness, size), named. */
final class BadTensors {
    static final int KINDS = 14;

    private final Random random;
    private final int dModel;
    private final int maxRows;

    BadTensors(Random random, int dModel, int maxRows) {
        this.random = random;
        this.dModel = dModel;
        this.maxRows = maxRows;
    }

    record Bad(String what, Tensor tensor) {
    }

    /** A valid FP32 tensor of 1 to 8 rows of standard-normal values. */
    Tensor valid() {
        return TensorMessages.toProto(random(1 + random.nextInt(8), dModel), DType.FP32);
    }

    Bad next() {
        Tensor valid = valid();
        int rows = valid.getRows();
        return switch (random.nextInt(KINDS)) {
            case 0 -> {
                int cols = dModel + (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(dModel - 1));
                yield new Bad("wrong d_model " + cols, TensorMessages.toProto(random(rows, cols), DType.FP32));
            }
            case 1 -> new Bad("data one element short", valid.toBuilder()
                    .setData(valid.getData().substring(0, valid.getData().size() - 4)).build());
            case 2 -> new Bad("data longer than the shape", valid.toBuilder()
                    .setData(valid.getData().concat(ByteString.copyFrom(new byte[1 + random.nextInt(64)]))).build());
            case 3 -> new Bad("unknown dtype", valid.toBuilder().setDtypeValue(3 + random.nextInt(1000)).build());
            case 4 -> new Bad("FP16 dtype on FP32 bytes", valid.toBuilder().setDtype(DType.FP16).build());
            case 5 -> new Bad("zero rows", valid.toBuilder().setRows(0).setData(ByteString.EMPTY).build());
            case 6 -> new Bad("NaN", withValue(rows, Float.NaN));
            case 7 -> new Bad("+Inf", withValue(rows, Float.POSITIVE_INFINITY));
            case 8 -> new Bad("-Inf", withValue(rows, Float.NEGATIVE_INFINITY));
            case 9 -> new Bad("huge row count claimed", valid.toBuilder()
                    .setRows(random.nextBoolean() ? Integer.MAX_VALUE : -1 - random.nextInt(1000)).build());
            case 10 -> new Bad("huge column count claimed", valid.toBuilder().setCols(-1 - random.nextInt(1000)).build());
            case 11 -> new Bad("more rows than the maximum (" + (maxRows + 1) + ")",
                    TensorMessages.toProto(random(maxRows + 1, dModel), DType.FP32));
            case 12 -> new Bad("FP16 NaN bit pattern", halfWith(rows, DType.FP16, (short) 0x7E00));
            default -> new Bad("BF16 +Inf bit pattern", halfWith(rows, DType.BF16, (short) 0x7F80));
        };
    }

    private Tensor withValue(int rows, float value) {
        Matrix m = random(rows, dModel);
        m.data()[random.nextInt(m.data().length)] = value;
        return TensorMessages.toProto(m, DType.FP32);
    }

    private Tensor halfWith(int rows, DType dtype, short bits) {
        Tensor t = TensorMessages.toProto(random(rows, dModel), dtype);
        byte[] data = t.getData().toByteArray();
        int at = 2 * random.nextInt(data.length / 2);
        data[at] = (byte) bits;
        data[at + 1] = (byte) (bits >> 8);
        return t.toBuilder().setData(ByteString.copyFrom(data)).build();
    }

    Matrix random(int rows, int cols) {
        return Matrix.gaussian(rows, cols, random, 1.0);
    }
}
