package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SortedSet;
import java.util.TreeSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerSelectionTest {
    private static final SortedSet<Integer> MOE_LAYERS = new TreeSet<>(List.of(0, 1, 5, 6, 7, 9));

    @Test
    void shouldSelectEveryMoeLayerForAllOrNothing() {
        assertThat(LayerSelection.parse("all", MOE_LAYERS)).containsExactly(0, 1, 5, 6, 7, 9);
        assertThat(LayerSelection.parse(" ", MOE_LAYERS)).containsExactly(0, 1, 5, 6, 7, 9);
        assertThat(LayerSelection.parse(null, MOE_LAYERS)).containsExactly(0, 1, 5, 6, 7, 9);
    }

    @Test
    void shouldSelectSingleLayersAndInclusiveRangesAscendingWithoutDuplicates() {
        assertThat(LayerSelection.parse("7, 0,5-7", MOE_LAYERS)).containsExactly(0, 5, 6, 7);
        assertThat(LayerSelection.parse("9", MOE_LAYERS)).containsExactly(9);
    }

    @Test
    void shouldNameTheEntryThatIsMalformedEmptyOrNotAnMoeLayer() {
        assertThatThrownBy(() -> LayerSelection.parse("0,x", MOE_LAYERS))
                .hasMessageContaining("'x' is not a layer or a range of layers");
        assertThatThrownBy(() -> LayerSelection.parse("0,", MOE_LAYERS))
                .hasMessageContaining("'' is not a layer or a range of layers");
        assertThatThrownBy(() -> LayerSelection.parse("7-5", MOE_LAYERS)).hasMessageContaining("'7-5' is an empty range");
        assertThatThrownBy(() -> LayerSelection.parse("1-5", MOE_LAYERS))
                .hasMessageContaining("'1-5' names layer 2, which is not an MoE layer of the model (MoE layers [0, 1, 5, 6, 7, 9])");
    }
}
