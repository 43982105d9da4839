package io.moestream.core.tensor;

import com.google.protobuf.UnsafeByteOperations;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Tensor;
import java.nio.ByteBuffer;

/** Converts between the protobuf {@link Tensor} (raw little-endian bytes) and {@link Matrix}, validating on the way in. */
public final class TensorMessages {
    private TensorMessages() {
    }

    /** Encodes {@code m} as a Tensor of element type {@code dtype} (FP32, FP16 or BF16). */
    public static Tensor toProto(Matrix m, DType dtype) {
        // the byte array is fresh and never touched again, so wrapping it without a copy is safe
        return Tensor.newBuilder()
                .setRows(m.rows())
                .setCols(m.cols())
                .setDtype(dtype)
                .setData(UnsafeByteOperations.unsafeWrap(TensorCodec.encode(m.data(), dtype)))
                .build();
    }

    /** The values of {@code m} as whoever reads it after it was sent in {@code dtype} sees them (rounded to it). */
    public static Matrix asSent(Matrix m, DType dtype) {
        return new Matrix(m.rows(), m.cols(), TensorCodec.decode(ByteBuffer.wrap(TensorCodec.encode(m.data(), dtype)),
                dtype, m.data().length));
    }

    /**
     * Encodes {@code m} for a topic whose configured element type is {@code wire}: as {@code wire}, unless a value of
     * {@code m} is beyond that type's finite range, in which case as FP32, so that narrowing never turns a finite
     * value into infinity (which every reader would reject).
     */
    public static Tensor toWire(Matrix m, DType wire) {
        return toProto(m, TensorCodec.fitsIn(m.data(), wire) ? wire : DType.FP32);
    }

    /** The wire element type named {@code name} ({@code fp32}, {@code bf16} or {@code fp16}, any case). */
    public static DType wireDtype(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "fp32" -> DType.FP32;
            case "bf16" -> DType.BF16;
            case "fp16" -> DType.FP16;
            default -> throw new IllegalArgumentException("unknown wire dtype '" + name + "': expected fp32, bf16 or fp16");
        };
    }

    /**
     * Decodes and validates a tensor: known dtype, {@code cols == expectedCols}, {@code 1 <= rows <= maxRows},
     * byte length equal to rows*cols*elementSize, and every value finite.
     *
     * @throws InvalidTensorException with a message naming the problem (e.g. "d_model is 12 but the model's d_model is 16")
     */
    public static Matrix fromProto(Tensor t, int expectedCols, int maxRows) {
        DType dtype = t.getDtype();
        if (dtype == DType.UNRECOGNIZED) {
            throw new InvalidTensorException("unknown dtype value " + t.getDtypeValue());
        }
        int elementSize = TensorCodec.elementSize(dtype);
        long rows = Integer.toUnsignedLong(t.getRows());
        long cols = Integer.toUnsignedLong(t.getCols());
        if (cols != expectedCols) {
            throw new InvalidTensorException("d_model is " + cols + " but the model's d_model is " + expectedCols);
        }
        if (rows == 0) {
            throw new InvalidTensorException("empty chunk (0 rows)");
        }
        if (rows > maxRows) {
            throw new InvalidTensorException("chunk has " + rows + " rows, the maximum is " + maxRows);
        }
        long expectedBytes = rows * cols * elementSize;
        int actualBytes = t.getData().size();
        if (actualBytes != expectedBytes) {
            throw new InvalidTensorException("tensor declares " + rows + " rows x " + cols + " cols of " + dtype
                    + " (" + expectedBytes + " bytes) but carries " + actualBytes + " bytes");
        }
        ByteBuffer bytes = t.getData().asReadOnlyByteBuffer();
        Matrix m = new Matrix((int) rows, (int) cols, TensorCodec.decode(bytes, dtype, (int) (rows * cols)));
        int bad = m.firstNonFinite();
        if (bad >= 0) {
            throw new InvalidTensorException("row " + bad / cols + " column " + bad % cols + " is " + m.data()[bad], true);
        }
        return m;
    }
}
