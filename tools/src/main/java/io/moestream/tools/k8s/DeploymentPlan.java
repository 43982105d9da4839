package io.moestream.tools.k8s;

import io.moestream.core.model.MoeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * What the manifests deploy for one model: every served (layer, expert) with its replica bounds (partitions equal
 * the max replicas, so they cap them), CPU and memory.
 *
 * @param namespace        the namespace of every namespaced object
 * @param maxReplicas      max replicas of a routed expert (its topic's partitions)
 * @param sharedMaxReplicas max replicas of a shared expert, which gets every row
 * @param minReplicas      replicas kept when idle (0 lets KEDA scale an expert to zero)
 * @param routerMaxReplicas max router replicas (the token topic's partitions)
 */
public record DeploymentPlan(MoeConfig config, SortedSet<Integer> layers, String namespace, int maxReplicas,
                             int sharedMaxReplicas, int minReplicas, int routerMaxReplicas, int expertCpu,
                             String imageTag) {
    /** JVM, Kafka clients and batch buffers on top of the weights. */
    static final long EXPERT_OVERHEAD_MIB = 768;

    public DeploymentPlan {
        requireAtLeast("--max-replicas", maxReplicas, 1);
        requireAtLeast("--shared-max-replicas", sharedMaxReplicas, 1);
        requireAtLeast("--min-replicas", minReplicas, 0);
        requireAtLeast("--router-max-replicas", routerMaxReplicas, 1);
        requireAtLeast("--expert-cpu", expertCpu, 1);
        if (minReplicas > Math.min(maxReplicas, sharedMaxReplicas)) {
            throw new IllegalArgumentException("--min-replicas " + minReplicas + " is above the max replicas");
        }
        if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("--namespace '" + namespace + "' is not a valid Kubernetes namespace name");
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the model has no MoE layer (no router weight found)");
        }
    }

    private static void requireAtLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
    }

    /** One expert Deployment. */
    public record Expert(int layer, int expert, boolean shared, int dFf, int maxReplicas, long memoryMib) {
    }

    public List<Expert> experts() {
        List<Expert> experts = new ArrayList<>();
        for (int layer : layers) {
            for (int e = 0; e < config.servedExperts(); e++) {
                boolean shared = e >= config.numExperts();
                int dFf = shared ? config.sharedExpertDFf() : config.dFf();
                experts.add(new Expert(layer, e, shared, dFf, shared ? sharedMaxReplicas : maxReplicas,
                        memoryMib(config.dModel(), dFf)));
            }
        }
        return experts;
    }

    /**
     * An estimate, not a measurement: three FP32 matrices of d_model × d_ff, twice (read into the heap, then copied
     * off-heap for the kernel, so both exist while loading), plus the JVM overhead.
     */
    static long memoryMib(int dModel, int dFf) {
        long weightBytes = 3L * dModel * dFf * Float.BYTES;
        return 2 * ((weightBytes + (1 << 20) - 1) / (1 << 20)) + EXPERT_OVERHEAD_MIB;
    }
}
