package io.moestream.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MatrixTest {
    private final Matrix m = new Matrix(3, 2, new float[] {1, 2, 3, 4, 5, 6});

    @Test
    void shouldGatherRowsInTheGivenOrder() {
        assertThat(m.gatherRows(new int[] {2, 0}).data()).containsExactly(5, 6, 1, 2);
    }

    @Test
    void shouldScaleEachRowByItsWeight() {
        assertThat(m.scaleRows(new float[] {2, 0, -1}).data()).containsExactly(2, 4, 0, 0, -5, -6);
        assertThat(m.data()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void shouldFindTheFirstNonFiniteElement() {
        assertThat(m.firstNonFinite()).isEqualTo(-1);
        float[] data = {1, Float.NEGATIVE_INFINITY, Float.NaN};
        assertThat(new Matrix(1, 3, data).firstNonFinite()).isEqualTo(1);
    }

    @Test
    void shouldRejectDataOfTheWrongLength() {
        assertThatThrownBy(() -> new Matrix(2, 2, new float[3]))
                .hasMessage("data has 3 floats, shape [2, 2] needs 4");
    }
}
