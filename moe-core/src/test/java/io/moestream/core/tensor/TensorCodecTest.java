package io.moestream.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.testing.TestTensors;
import io.moestream.proto.v1.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorCodecTest {

    @Test
    void shouldWriteFp32LittleEndian() {
        byte[] bytes = TensorCodec.encode(new float[] {1.0f, -2.5f}, DType.FP32);

        ByteBuffer expected = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.0f).putFloat(-2.5f);
        assertThat(bytes).containsExactly(expected.array());
        assertThat(bytes[3]).isEqualTo((byte) 0x3f);
    }

    @Test
    void shouldWriteFp16AndBf16LittleEndian() {
        assertThat(TensorCodec.encode(new float[] {1.0f}, DType.FP16)).containsExactly(0x00, 0x3c);
        assertThat(TensorCodec.encode(new float[] {1.0f}, DType.BF16)).containsExactly(0x80, 0x3f);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP32", "FP16", "BF16"})
    void shouldRoundTripValuesThatTheDtypeRepresents(DType dtype) {
        // given values already rounded to the dtype, so the round trip must be exact
        float[] original = TestTensors.gaussian(17, 33, 3).data();
        float[] representable = TensorCodec.decode(ByteBuffer.wrap(TensorCodec.encode(original, dtype)), dtype,
                original.length);

        // when
        float[] back = TensorCodec.decode(ByteBuffer.wrap(TensorCodec.encode(representable, dtype)), dtype,
                representable.length);

        // then
        assertThat(back).containsExactly(representable);
        if (dtype == DType.FP32) {
            assertThat(representable).containsExactly(original);
        }
    }

    @Test
    void shouldAdvanceTheBufferPositionsAndHonourOffsets() {
        ByteBuffer buffer = ByteBuffer.allocate(2 + 3 * 2);
        buffer.position(2);

        TensorCodec.encode(new float[] {1f, 2f, 3f}, DType.FP16, buffer);
        buffer.position(2);
        float[] decoded = TensorCodec.decode(buffer, DType.FP16, 3);

        assertThat(decoded).containsExactly(1f, 2f, 3f);
        assertThat(buffer.position()).isEqualTo(8);
    }

    @Test
    void shouldRejectAnUnknownDtype() {
        assertThatThrownBy(() -> TensorCodec.encode(new float[] {1f}, DType.DTYPE_UNSPECIFIED))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("unknown dtype DTYPE_UNSPECIFIED");
    }
}
