package io.moestream.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.tensor.Matrix;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Mxfp4Test {

    @Test
    void shouldPutTheLowNibbleInTheEvenColumnAndScaleByTheBiasedExponent() {
        // given one row of 64 values (two blocks): byte 0x21 first (low nibble 1 = 0.5, high nibble 2 = 1.0), byte
        // 0xF9 next (low 9 = -0.5, high 15 = -6), zeros after; the first block's scale 127 (2^0), the second's 129 (2^2)
        byte[] blocks = new byte[32];
        blocks[0] = 0x21;
        blocks[1] = (byte) 0xF9;
        blocks[16] = 0x07;
        byte[] scales = {(byte) 127, (byte) 129};

        // when
        Matrix m = Mxfp4.dequantize(ByteBuffer.wrap(blocks), ByteBuffer.wrap(scales), 1, 64);

        // then
        assertThat(m.data()[0]).isEqualTo(0.5f);
        assertThat(m.data()[1]).isEqualTo(1.0f);
        assertThat(m.data()[2]).isEqualTo(-0.5f);
        assertThat(m.data()[3]).isEqualTo(-6.0f);
        assertThat(m.data()[4]).isEqualTo(0f);
        assertThat(m.data()[32]).isEqualTo(6.0f * 4);
        assertThat(m.data()[33]).isEqualTo(0f);
    }

    @Test
    void shouldCoverEveryCodeAndTinyAndHugeScalesExactly() {
        // given the 16 codes twice over one block, with the smallest and the largest scale byte
        byte[] blocks = new byte[32];
        for (int b = 0; b < 16; b++) {
            blocks[b] = (byte) ((2 * b % 16) | ((2 * b + 1) % 16) << 4);
            blocks[16 + b] = blocks[b];
        }
        byte[] scales = {0, (byte) 200};

        // when
        Matrix m = Mxfp4.dequantize(ByteBuffer.wrap(blocks), ByteBuffer.wrap(scales), 2, 32);

        // then every value is its code's e2m1 value times 2^(scale - 127), exactly
        for (int c = 0; c < 32; c++) {
            float value = Mxfp4.FP4_VALUES[c % 16];
            assertThat(m.get(0, c)).isEqualTo((float) (value * Math.pow(2, -127)));
            assertThat(m.get(1, c)).isEqualTo((float) (value * Math.pow(2, 73)));
        }
    }

    @Test
    void shouldRefuseRowsThatAreNotWholeBlocksOrBuffersOfTheWrongSize() {
        assertThatThrownBy(() -> Mxfp4.dequantize(ByteBuffer.allocate(8), ByteBuffer.allocate(1), 1, 16))
                .hasMessageContaining("not whole blocks of 32");
        assertThatThrownBy(() -> Mxfp4.dequantize(ByteBuffer.allocate(15), ByteBuffer.allocate(1), 1, 32))
                .hasMessageContaining("needs 16 block bytes and 1 scale bytes, got 15 and 1");
    }
}
