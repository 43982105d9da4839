package io.moestream.core.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * The routing of one chunk: for each of {@code rows} rows, {@code k} slots of chosen experts and their gate
 * weights, row-major {@code [rows, k]}, and what the routing options took away ({@code stats}). The experts of a
 * row are distinct; a slot left empty by the options (a dropped or skipped assignment, or a row that expert-choice
 * routing gave fewer experts) holds {@link #EMPTY} and weight 0.
 */
public record Routing(int rows, int k, int[] experts, float[] weights, RoutingStats stats) {
    /** The expert id of an empty slot. */
    public static final int EMPTY = -1;

    public Routing {
        if (rows < 0 || k < 1 || experts.length != rows * k || weights.length != rows * k) {
            throw new IllegalArgumentException("routing of " + rows + " rows x top-" + k + " needs " + rows * k
                    + " experts and weights, got " + experts.length + " and " + weights.length);
        }
    }

    /** Plain top-k routing: every slot filled, nothing dropped. */
    public Routing(int rows, int k, int[] experts, float[] weights) {
        this(rows, k, experts, weights, RoutingStats.none(rows * k));
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
            if (e != EMPTY) {
                counts[e]++;
            }
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
                if (e == EMPTY) {
                    continue;
                }
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
