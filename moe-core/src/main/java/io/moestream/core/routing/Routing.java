package io.moestream.core.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * The routing of one chunk: for each of {@code rows} rows, {@code k} chosen experts and their gate weights,
 * row-major {@code [rows, k]}. The experts of a row are distinct.
 */
public record Routing(int rows, int k, int[] experts, float[] weights) {

    public Routing {
        if (rows < 0 || k < 1 || experts.length != rows * k || weights.length != rows * k) {
            throw new IllegalArgumentException("routing of " + rows + " rows x top-" + k + " needs " + rows * k
                    + " experts and weights, got " + experts.length + " and " + weights.length);
        }
    }

    public int expert(int row, int slot) {
        return experts[row * k + slot];
    }

    public float weight(int row, int slot) {
        return weights[row * k + slot];
    }

    /** The rows each chosen expert must process, ascending by expert id, rows ascending within each. */
    public List<ExpertAssignment> byExpert() {
        int maxExpert = -1;
        for (int e : experts) {
            maxExpert = Math.max(maxExpert, e);
        }
        int[] counts = new int[maxExpert + 1];
        for (int e : experts) {
            counts[e]++;
        }
        int[][] rowIndex = new int[counts.length][];
        float[][] gateWeights = new float[counts.length][];
        for (int e = 0; e < counts.length; e++) {
            rowIndex[e] = new int[counts[e]];
            gateWeights[e] = new float[counts[e]];
        }
        // walking rows in order keeps each expert's rows ascending
        int[] filled = new int[counts.length];
        for (int row = 0; row < rows; row++) {
            for (int slot = 0; slot < k; slot++) {
                int e = expert(row, slot);
                rowIndex[e][filled[e]] = row;
                gateWeights[e][filled[e]] = weight(row, slot);
                filled[e]++;
            }
        }
        List<ExpertAssignment> assignments = new ArrayList<>();
        for (int e = 0; e < counts.length; e++) {
            if (counts[e] > 0) {
                assignments.add(new ExpertAssignment(e, rowIndex[e], gateWeights[e]));
            }
        }
        return assignments;
    }
}
