package io.moestream.gateway.oip;

import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HiddenStatesTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP32", "FP16", "BF16"})
    void shouldCutRowsOutOfTheClientsBytes(DType dtype) {
        // given five rows as the client sent them
        Matrix x = random(5, 3, 1);
        HiddenStates hidden = new HiddenStates(x, TensorMessages.toProto(x, dtype));

        // when rows 1..3 are cut
        Tensor cut = hidden.rows(1, 4);

        // then the cut is those rows, in the same dtype
        assertThat(cut.getRows()).isEqualTo(3);
        assertThat(cut.getCols()).isEqualTo(3);
        assertThat(cut.getDtype()).isEqualTo(dtype);
        assertThat(cut).isEqualTo(TensorMessages.toProto(x.gatherRows(new int[] {1, 2, 3}), dtype));
    }
}
