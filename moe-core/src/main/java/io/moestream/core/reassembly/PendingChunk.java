package io.moestream.core.reassembly;

import io.moestream.core.tensor.Matrix;
import java.util.SortedSet;
import java.util.TreeSet;

/** The reassembly state of one chunk: the output sum so far, the experts expected and those that answered. */
final class PendingChunk<O> {
    final O owner;
    long deadlineNanos;
    // output [rows, d_model]: the sum of the weighted rows received so far
    final Matrix output;
    final SortedSet<Integer> answered = new TreeSet<>();
    private SortedSet<Integer> expected;

    PendingChunk(O owner, int rows, int dModel, long deadlineNanos) {
        this.owner = owner;
        this.deadlineNanos = deadlineNanos;
        this.output = Matrix.zeros(rows, dModel);
    }

    boolean hasManifest() {
        return expected != null;
    }

    void setManifest(SortedSet<Integer> experts) {
        expected = experts;
    }

    boolean expects(int expert) {
        return expected == null || expected.contains(expert);
    }

    boolean isComplete() {
        return expected != null && answered.containsAll(expected);
    }

    SortedSet<Integer> missing() {
        SortedSet<Integer> missing = new TreeSet<>(expected);
        missing.removeAll(answered);
        return missing;
    }

    /** Adds {@code weighted[i]} to output row {@code rowIndex[i]}; the caller checked the shapes. */
    void add(int[] rowIndex, Matrix weighted) {
        int cols = output.cols();
        float[] out = output.data();
        float[] in = weighted.data();
        for (int i = 0; i < rowIndex.length; i++) {
            int dst = rowIndex[i] * cols;
            int src = i * cols;
            for (int c = 0; c < cols; c++) {
                out[dst + c] += in[src + c];
            }
        }
    }
}
