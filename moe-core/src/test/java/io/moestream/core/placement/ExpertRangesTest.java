package io.moestream.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ExpertRangesTest {

    @Test
    void shouldParseSinglesAndInclusiveRangesSortedWithoutDuplicates() {
        assertThat(ExpertRanges.parse(" 1:2, 0:1-3 ,0:2"))
                .containsExactly(new ExpertId(0, 1), new ExpertId(0, 2), new ExpertId(0, 3), new ExpertId(1, 2));
    }

    @Test
    void shouldWriteConsecutiveExpertsOfALayerAsOneRange() {
        assertThat(ExpertRanges.format(List.of(new ExpertId(0, 0), new ExpertId(0, 1), new ExpertId(0, 2),
                new ExpertId(0, 5), new ExpertId(1, 3), new ExpertId(1, 4)))).isEqualTo("0:0-2,0:5,1:3-4");
        assertThat(ExpertRanges.format(List.of())).isEmpty();
    }

    @Test
    void shouldReadBackWhatItWritesForAnySet() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            SortedSet<ExpertId> experts = new TreeSet<>();
            for (int i = random.nextInt(40); i >= 0; i--) {
                experts.add(new ExpertId(random.nextInt(4), random.nextInt(16)));
            }
            assertThat(ExpertRanges.parse(ExpertRanges.format(experts))).containsExactlyElementsOf(new ArrayList<>(experts));
        }
    }

    @Test
    void shouldNameAMalformedOrEmptyEntry() {
        assertThatThrownBy(() -> ExpertRanges.parse("0:1,0-2")).hasMessageContaining("'0-2' is not layer:expert");
        assertThatThrownBy(() -> ExpertRanges.parse("0:5-3")).hasMessageContaining("'0:5-3' is an empty range");
        assertThatThrownBy(() -> ExpertRanges.parse("")).hasMessageContaining("'' is not layer:expert");
    }
}
