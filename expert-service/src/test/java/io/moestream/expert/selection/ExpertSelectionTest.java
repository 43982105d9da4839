package io.moestream.expert.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.placement.ExpertId;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ExpertSelectionTest {
    private static final SortedSet<Integer> LAYERS = new TreeSet<>(List.of(0, 2));

    @Test
    void shouldSelectEveryExpertOfEveryMoeLayerForAll() {
        assertThat(ExpertSelection.parse("all", LAYERS, 3)).containsExactly(
                new ExpertId(0, 0), new ExpertId(0, 1), new ExpertId(0, 2),
                new ExpertId(2, 0), new ExpertId(2, 1), new ExpertId(2, 2));
    }

    @Test
    void shouldParseAListSortedAndWithoutDuplicates() {
        assertThat(ExpertSelection.parse(" 2:1, 0:2 ,2:1,0:0", LAYERS, 3))
                .containsExactly(new ExpertId(0, 0), new ExpertId(0, 2), new ExpertId(2, 1));
    }

    @Test
    void shouldNameTheEntryThatIsNotInTheModel() {
        assertThatThrownBy(() -> ExpertSelection.parse("0:1,1:0", LAYERS, 3))
                .hasMessageContaining("1:0 names layer 1").hasMessageContaining("not a served MoE layer").hasMessageContaining("[0, 2]");
        assertThatThrownBy(() -> ExpertSelection.parse("0:3", LAYERS, 3))
                .hasMessageContaining("expert 3").hasMessageContaining("0..2");
    }

    @Test
    void shouldNameAMalformedEntry() {
        assertThatThrownBy(() -> ExpertSelection.parse("0:1,0-2", LAYERS, 3)).hasMessageContaining("'0-2' is not layer:expert");
        assertThatThrownBy(() -> ExpertSelection.parse("", LAYERS, 3)).hasMessageContaining("'' is not layer:expert");
    }

    @Test
    void shouldParseRangesAsAPlacementPlanWritesThem() {
        assertThat(ExpertSelection.parse("0:0-2,2:1", LAYERS, 3))
                .containsExactly(new ExpertId(0, 0), new ExpertId(0, 1), new ExpertId(0, 2), new ExpertId(2, 1));
        assertThatThrownBy(() -> ExpertSelection.parse("0:1-3", LAYERS, 3)).hasMessageContaining("0:3 names expert 3");
    }

    @Test
    void shouldPrintAnExpertAsInTheConfig() {
        assertThat(new ExpertId(4, 7)).hasToString("4:7");
    }
}
