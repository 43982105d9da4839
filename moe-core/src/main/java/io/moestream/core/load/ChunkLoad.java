package io.moestream.core.load;

import io.moestream.core.routing.ExpertAssignment;
import io.moestream.core.tensor.Matrix;
import java.util.List;

/**
 * What one routed chunk put on each routed expert of its layer: rows assigned, their summed gate weight, and the
 * summed router probability (softmax of the gate logits over the routed experts) of every row. The shared expert,
 * which every row reaches, is not counted.
 */
public record ChunkLoad(int layer, int rows, long[] tokens, double[] gateWeight, double[] probability) {

    /**
     * @param logits      the chunk's gate logits, {@code (rows, n_experts)}
     * @param assignments what the router chose; an expert id {@code >= n_experts} (the shared expert) is skipped
     */
    public static ChunkLoad of(int layer, Matrix logits, List<ExpertAssignment> assignments) {
        int experts = logits.cols();
        long[] tokens = new long[experts];
        double[] gateWeight = new double[experts];
        for (ExpertAssignment a : assignments) {
            if (a.expert() >= experts) {
                continue;
            }
            tokens[a.expert()] += a.rowIndex().length;
            for (float w : a.gateWeights()) {
                gateWeight[a.expert()] += w;
            }
        }
        return new ChunkLoad(layer, logits.rows(), tokens, gateWeight, probabilitySums(logits));
    }

    /** Column sums of the row-wise softmax of {@code logits (rows, n_experts)}, in double, max-subtracted. */
    static double[] probabilitySums(Matrix logits) {
        int experts = logits.cols();
        float[] data = logits.data();
        double[] sums = new double[experts];
        double[] row = new double[experts];
        for (int r = 0; r < logits.rows(); r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < experts; e++) {
                max = Math.max(max, data[r * experts + e]);
            }
            double z = 0;
            for (int e = 0; e < experts; e++) {
                row[e] = Math.exp(data[r * experts + e] - max);
                z += row[e];
            }
            for (int e = 0; e < experts; e++) {
                sums[e] += row[e] / z;
            }
        }
        return sums;
    }
}
