package io.moestream.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.google.protobuf.ByteString;
import io.moestream.core.testing.TestTensors;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorMessagesTest {
    private static final int D_MODEL = 16;
    private static final int MAX_ROWS = 4096;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP32", "FP16", "BF16"})
    void shouldRoundTripThroughTheProto(DType dtype) {
        // given
        Matrix m = TestTensors.gaussian(3, D_MODEL, 11);

        // when
        Tensor t = TensorMessages.toProto(m, dtype);
        Matrix back = TensorMessages.fromProto(t, D_MODEL, MAX_ROWS);

        // then
        assertThat(t.getRows()).isEqualTo(3);
        assertThat(t.getCols()).isEqualTo(D_MODEL);
        assertThat(t.getData().size()).isEqualTo(3 * D_MODEL * TensorCodec.elementSize(dtype));
        assertThat(back.rows()).isEqualTo(3);
        float tolerance = dtype == DType.FP32 ? 0f : dtype == DType.FP16 ? 2e-3f : 1.6e-2f;
        for (int i = 0; i < m.data().length; i++) {
            assertThat(back.data()[i]).isCloseTo(m.data()[i],
                    offset(tolerance * Math.max(1f, Math.abs(m.data()[i]))));
        }
    }

    @Test
    void shouldRoundToWhatAReaderOfTheSentTypeSees() {
        // 1 + 2^-9 needs 10 bits: fp16 (11) keeps it, bf16 (8) rounds it to 1
        Matrix m = new Matrix(1, 2, new float[] {1 + 0x1p-9f, -3});

        assertThat(TensorMessages.asSent(m, DType.FP32).data()).containsExactly(1 + 0x1p-9f, -3);
        assertThat(TensorMessages.asSent(m, DType.FP16).data()).containsExactly(1 + 0x1p-9f, -3);
        assertThat(TensorMessages.asSent(m, DType.BF16).data()).containsExactly(1, -3);
    }

    @Test
    void shouldNameTheWrongDModel() {
        Tensor t = TensorMessages.toProto(Matrix.zeros(2, 12), DType.FP32);

        assertThatThrownBy(() -> TensorMessages.fromProto(t, D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("d_model is 12 but the model's d_model is 16");
    }

    @Test
    void shouldNameTheByteLengthMismatch() {
        Tensor t = Tensor.newBuilder().setRows(3).setCols(D_MODEL).setDtype(DType.FP16)
                .setData(ByteString.copyFrom(new byte[90])).build();

        assertThatThrownBy(() -> TensorMessages.fromProto(t, D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("tensor declares 3 rows x 16 cols of FP16 (96 bytes) but carries 90 bytes");
    }

    @Test
    void shouldNameTheFirstNonFiniteValue() {
        Matrix m = Matrix.zeros(4, D_MODEL);
        m.data()[2 * D_MODEL + 5] = Float.NaN;
        m.data()[3 * D_MODEL] = Float.POSITIVE_INFINITY;

        assertThatThrownBy(() -> TensorMessages.fromProto(TensorMessages.toProto(m, DType.FP32), D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("row 2 column 5 is NaN");
    }

    @Test
    void shouldNameAnInfiniteValueInAHalfPayload() {
        Matrix m = Matrix.zeros(1, D_MODEL);
        m.data()[3] = 1e6f;

        assertThatThrownBy(() -> TensorMessages.fromProto(TensorMessages.toProto(m, DType.FP16), D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("row 0 column 3 is Infinity");
    }

    @Test
    void shouldRejectTooManyRows() {
        Tensor t = Tensor.newBuilder().setRows(5000).setCols(D_MODEL).setDtype(DType.FP32).build();

        assertThatThrownBy(() -> TensorMessages.fromProto(t, D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("chunk has 5000 rows, the maximum is 4096");
    }

    @Test
    void shouldRejectAnEmptyChunk() {
        Tensor t = Tensor.newBuilder().setRows(0).setCols(D_MODEL).setDtype(DType.FP32).build();

        assertThatThrownBy(() -> TensorMessages.fromProto(t, D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("empty chunk (0 rows)");
    }

    @Test
    void shouldRejectAnUnspecifiedDtype() {
        Tensor t = Tensor.newBuilder().setRows(1).setCols(D_MODEL).setData(ByteString.copyFrom(new byte[64])).build();

        assertThatThrownBy(() -> TensorMessages.fromProto(t, D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("unknown dtype DTYPE_UNSPECIFIED");
    }

    @Test
    void shouldRejectAnUnrecognisedDtypeValue() {
        Tensor t = Tensor.newBuilder().setRows(1).setCols(D_MODEL).setDtypeValue(9).build();

        assertThatThrownBy(() -> TensorMessages.fromProto(t, D_MODEL, MAX_ROWS))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("unknown dtype value 9");
    }

    @Test
    void shouldReportRowCountsAboveTheSignedIntRange() {
        Tensor t = Tensor.newBuilder().setRows(-1).setCols(D_MODEL).setDtype(DType.FP32).build();

        assertThatThrownBy(() -> TensorMessages.fromProto(t, D_MODEL, MAX_ROWS))
                .hasMessage("chunk has 4294967295 rows, the maximum is 4096");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP32", "FP16", "BF16"})
    void shouldEncodeForTheWireInItsDtypeWhenEveryValueFits(DType wire) {
        // given
        Matrix m = TestTensors.gaussian(2, D_MODEL, 5);

        // when
        Tensor t = TensorMessages.toWire(m, wire);

        // then
        assertThat(t.getDtype()).isEqualTo(wire);
        assertThat(t.getData().size()).isEqualTo(2 * D_MODEL * TensorCodec.elementSize(wire));
    }

    @Test
    void shouldFallBackToFp32WhereANarrowDtypeWouldOverflow() {
        // given: 70000 is beyond fp16's range, 3.4e38 beyond bf16's (whose largest finite value is about 3.39e38)
        float[] fp16Overflow = new float[D_MODEL];
        fp16Overflow[3] = -70000f;
        float[] bf16Overflow = new float[D_MODEL];
        bf16Overflow[0] = 3.4e38f;

        // when
        Tensor half = TensorMessages.toWire(new Matrix(1, D_MODEL, fp16Overflow), DType.FP16);
        Tensor bf16 = TensorMessages.toWire(new Matrix(1, D_MODEL, bf16Overflow), DType.BF16);
        Tensor bf16Fits = TensorMessages.toWire(new Matrix(1, D_MODEL, fp16Overflow), DType.BF16);

        // then: the values arrive finite and exact
        assertThat(half.getDtype()).isEqualTo(DType.FP32);
        assertThat(TensorMessages.fromProto(half, D_MODEL, MAX_ROWS).data()[3]).isEqualTo(-70000f);
        assertThat(bf16.getDtype()).isEqualTo(DType.FP32);
        assertThat(TensorMessages.fromProto(bf16, D_MODEL, MAX_ROWS).data()[0]).isEqualTo(3.4e38f);
        assertThat(bf16Fits.getDtype()).isEqualTo(DType.BF16);
    }

    @Test
    void shouldTellTheLargestValuesThatStillFit() {
        assertThat(TensorCodec.fitsIn(new float[] {65519f, -65519f}, DType.FP16)).isTrue();
        assertThat(TensorCodec.fitsIn(new float[] {65520f}, DType.FP16)).isFalse();
        assertThat(TensorCodec.fitsIn(new float[] {Float.intBitsToFloat(0x7f7f7fff)}, DType.BF16)).isTrue();
        assertThat(TensorCodec.fitsIn(new float[] {Float.intBitsToFloat(0x7f7f8000)}, DType.BF16)).isFalse();
        assertThat(TensorCodec.fitsIn(new float[] {Float.MAX_VALUE, Float.NaN}, DType.FP32)).isTrue();
        assertThat(TensorCodec.fitsIn(new float[] {1f, Float.NaN}, DType.BF16)).isFalse();
        assertThat(TensorCodec.fitsIn(new float[] {Float.NEGATIVE_INFINITY}, DType.FP16)).isFalse();
    }

    @Test
    void shouldParseTheWireDtypesByName() {
        assertThat(TensorMessages.wireDtype("fp32")).isEqualTo(DType.FP32);
        assertThat(TensorMessages.wireDtype(" BF16")).isEqualTo(DType.BF16);
        assertThat(TensorMessages.wireDtype("Fp16")).isEqualTo(DType.FP16);
        assertThatThrownBy(() -> TensorMessages.wireDtype("int8"))
                .hasMessage("unknown wire dtype 'int8': expected fp32, bf16 or fp16");
    }
}
