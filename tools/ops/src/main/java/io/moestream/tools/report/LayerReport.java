package io.moestream.tools.report;

import java.util.List;

/**
 * What {@code moe report} says about one MoE layer over the time range.
 *
 * @param balancedness   mean / max of the experts' total loads over the whole range
 * @param overTime       the windows' balancedness, grouped into consecutive buckets
 * @param pruneCandidates experts whose share of the assignments is under the prune share, least used first
 * @param replicas       the replica plan: replicas per expert (index = expert id) and the balancedness it reaches
 */
public record LayerReport(int layer, int windows, long chunks, long rows, double balancedness, List<ExpertRow> experts,
                          List<TimeBucket> overTime, List<Integer> pruneCandidates, Replicas replicas) {

    /** One expert's totals: rows assigned, share of the layer's assignments, mean gate weight of its rows. */
    public record ExpertRow(int expert, long tokens, double share, double meanGateWeight) {
    }

    /** Windows {@code [fromMs, toMs)}: their mean and lowest balancedness, mean CV and mean Switch aux statistic. */
    public record TimeBucket(long fromMs, long toMs, int windows, double meanBalancedness, double minBalancedness,
                             double meanCoefficientOfVariation, double meanSwitchAux) {
    }

    /** @param perExpert replicas per expert; {@code toAdd} experts that get more than one, hottest first */
    public record Replicas(int[] perExpert, double balancedness, List<Integer> toAdd) {
    }
}
