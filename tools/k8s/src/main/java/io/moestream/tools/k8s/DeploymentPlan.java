package io.moestream.tools.k8s;

import io.moestream.core.kernel.ComputeDtype;
import io.moestream.core.model.MoeConfig;
import io.moestream.core.placement.ExpertFootprint;
import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.PlacementPlan;
import java.util.List;
import java.util.SortedSet;

/**
 * What the manifests deploy for one model: one expert Deployment per group of the placement plan, with its replica
 * bounds (the plan's replicas are the most KEDA scales a group to), CPU, memory and GPUs.
 *
 * @param namespace         the namespace of every namespaced object
 * @param minReplicas       replicas kept when idle (0 lets KEDA scale a group to zero)
 * @param routerMaxReplicas max router replicas (the token topic's partitions)
 * @param gpuMemoryMib      memory of one GPU: a group whose weights need more gets several with the gpu overlay
 * @param computeDtype      the experts' {@code moe.expert.compute-dtype}: auto, fp32 or bf16
 */
public record DeploymentPlan(MoeConfig config, SortedSet<Integer> layers, PlacementPlan placement, String namespace,
                             int minReplicas, int routerMaxReplicas, int expertCpu, long gpuMemoryMib, String imageTag,
                             String computeDtype) {
    /** JVM, Kafka clients and batch buffers on top of the weights. */
    static final long EXPERT_OVERHEAD_MIB = 768;

    public DeploymentPlan {
        requireAtLeast("--min-replicas", minReplicas, 0);
        requireAtLeast("--router-max-replicas", routerMaxReplicas, 1);
        requireAtLeast("--expert-cpu", expertCpu, 1);
        requireAtLeast("--gpu-memory", gpuMemoryMib, 1);
        computeDtype = ComputeDtype.parse(computeDtype).toString();
        int fewest = placement.groups().stream().mapToInt(ExpertGroup::replicas).min().orElse(1);
        if (minReplicas > fewest) {
            throw new IllegalArgumentException("--min-replicas " + minReplicas + " is above the replicas of a group ("
                    + fewest + ")");
        }
        if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("--namespace '" + namespace + "' is not a valid Kubernetes namespace name");
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the model has no MoE layer (no router weight found)");
        }
    }

    private static void requireAtLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
    }

    /** One expert Deployment: its group, the weights it holds, the memory and GPUs each pod asks for. */
    public record Group(ExpertGroup group, long weightsMib, long memoryMib, int gpus) {
    }

    public List<Group> groups() {
        return placement.groups().stream().map(this::sized).toList();
    }

    /**
     * An estimate, not a measurement: the weights (held off-heap once), plus one expert per CPU being read into the
     * heap and copied off-heap at start-up (both copies exist meanwhile), plus the JVM overhead. GPUs: as many as the
     * weights need at {@code gpuMemoryMib} each, at least one.
     */
    private Group sized(ExpertGroup group) {
        long weights = ExpertFootprint.bytes(config, group.experts());
        long largest = group.experts().stream().mapToLong(id -> ExpertFootprint.bytes(config, id)).max().orElse(0);
        long loading = 2 * largest * Math.min(expertCpu, group.experts().size());
        long weightsMib = ExpertFootprint.mib(weights);
        return new Group(group, weightsMib, ExpertFootprint.mib(weights + loading) + EXPERT_OVERHEAD_MIB,
                (int) Math.max(1, (weightsMib + gpuMemoryMib - 1) / gpuMemoryMib));
    }
}
