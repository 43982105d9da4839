package io.moestream.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelRowsTest {

    @Test
    void shouldRunEveryRowExactlyOnceWhetherSplitOrNot() {
        for (int rows : new int[] {1, 2, 3, 7, 64, 1001}) {
            for (int elementsPerRow : new int[] {1, 1 << 16}) {
                // given
                AtomicIntegerArray visits = new AtomicIntegerArray(rows);

                // when
                ParallelRows.forRows(rows, elementsPerRow, (from, to) -> {
                    for (int r = from; r < to; r++) {
                        visits.incrementAndGet(r);
                    }
                });

                // then
                for (int r = 0; r < rows; r++) {
                    assertThat(visits.get(r)).as("row %d of %d (%d elements each)", r, rows, elementsPerRow).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void shouldReportAFailureOfAnyPart() {
        assertThatThrownBy(() -> ParallelRows.forRows(100, 1 << 16, (from, to) -> {
            if (to == 100) {
                throw new IllegalArgumentException("last rows failed");
            }
        })).rootCause().hasMessage("last rows failed");
    }
}
