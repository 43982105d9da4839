package io.moestream.tools.report;

/**
 * @param pruneShare         an expert whose share of the layer's assignments is under this is a prune candidate
 * @param targetBalancedness the balancedness the replica plan aims for, in (0, 1]
 * @param maxExtraReplicas   most replicas the plan may add per layer
 * @param timeBuckets        most rows of the balancedness-over-time table per layer
 */
public record ReportSettings(double pruneShare, double targetBalancedness, int maxExtraReplicas, int timeBuckets) {

    public ReportSettings {
        if (!(pruneShare >= 0 && pruneShare < 1)) {
            throw new IllegalArgumentException("--prune-share must be in [0, 1), got " + pruneShare);
        }
        if (!(targetBalancedness > 0 && targetBalancedness <= 1)) {
            throw new IllegalArgumentException("--target-balancedness must be in (0, 1], got " + targetBalancedness);
        }
        if (maxExtraReplicas < 0) {
            throw new IllegalArgumentException("--max-extra-replicas must be >= 0, got " + maxExtraReplicas);
        }
        if (timeBuckets < 1) {
            throw new IllegalArgumentException("--time-buckets must be >= 1, got " + timeBuckets);
        }
    }
}
