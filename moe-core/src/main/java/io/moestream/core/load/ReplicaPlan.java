package io.moestream.core.load;

import java.util.Arrays;

/**
 * How many replicas each expert of a layer should get so that the per-replica load is even enough, the redundant-
 * expert idea of DeepSeek's EPLB: a hot expert's traffic is split evenly over its replicas.
 *
 * <p>Greedy: every expert starts with one replica; while the balancedness over all replicas (mean / max of the
 * per-replica loads {@code load_e / replicas_e}) is under the target and the replica budget allows, one more replica
 * goes to the expert whose replicas carry the most load. Each step lowers the maximum as much as one replica can,
 * which is what EPLB's redundant-expert step does before it packs replicas onto GPUs (packing is not done here).
 *
 * @param replicas     replicas per expert, index = expert id
 * @param balancedness balancedness over the replicas after the plan
 */
public record ReplicaPlan(int[] replicas, double balancedness) {

    /**
     * @param load          load of each expert (rows assigned)
     * @param target        balancedness to reach, in (0, 1]
     * @param extraReplicas most replicas to add on top of one per expert
     */
    public static ReplicaPlan plan(long[] load, double target, int extraReplicas) {
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("target balancedness must be in (0, 1], got " + target);
        }
        if (extraReplicas < 0) {
            throw new IllegalArgumentException("extra replicas must be >= 0, got " + extraReplicas);
        }
        int[] replicas = new int[load.length];
        Arrays.fill(replicas, 1);
        double balancedness = balancedness(load, replicas);
        for (int added = 0; added < extraReplicas && balancedness < target; added++) {
            replicas[hottest(load, replicas)]++;
            balancedness = balancedness(load, replicas);
        }
        return new ReplicaPlan(replicas, balancedness);
    }

    /** mean / max of the per-replica loads; 1.0 when nothing was loaded. */
    static double balancedness(long[] load, int[] replicas) {
        double total = 0;
        double max = 0;
        int count = 0;
        for (int e = 0; e < load.length; e++) {
            total += load[e];
            count += replicas[e];
            max = Math.max(max, (double) load[e] / replicas[e]);
        }
        return max == 0 ? 1.0 : total / count / max;
    }

    private static int hottest(long[] load, int[] replicas) {
        int best = 0;
        for (int e = 1; e < load.length; e++) {
            if ((double) load[e] / replicas[e] > (double) load[best] / replicas[best]) {
                best = e;
            }
        }
        return best;
    }
}
