package io.moestream.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class GateWeightsTest {

    @Test
    void shouldWriteOneLittleEndianFp32PerRow() {
        // 1.0f is 0x3f800000, -2.5f is 0xc0200000
        assertThat(GateWeights.encode(new float[] {1f, -2.5f}).toByteArray())
                .containsExactly(0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0);
    }

    @Test
    void shouldReadBackWhatItWrote() {
        float[] weights = {0.25f, 0.75f, 1f};

        assertThat(GateWeights.decode(GateWeights.encode(weights), 3)).containsExactly(weights);
    }

    @Test
    void shouldRefuseAFieldOfAnotherLength() {
        assertThatThrownBy(() -> GateWeights.decode(GateWeights.encode(new float[] {1f, 1f}), 3))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("gate_weights has 8 bytes, 3 rows need 12 (fp32 little-endian)");
        assertThatThrownBy(() -> GateWeights.decode(ByteString.copyFrom(new byte[5]), 1))
                .hasMessageContaining("gate_weights has 5 bytes");
    }

    @Test
    void shouldRefuseAWeightThatIsNotFinite() {
        assertThatThrownBy(() -> GateWeights.decode(GateWeights.encode(new float[] {1f, Float.NaN}), 2))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessage("gate weight of row 1 is NaN");
    }
}
