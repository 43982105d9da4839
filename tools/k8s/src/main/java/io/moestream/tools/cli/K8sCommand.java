package io.moestream.tools.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeModel;
import io.moestream.core.placement.PlacementPlan;
import io.moestream.tools.k8s.DeploymentPlan;
import io.moestream.tools.k8s.ManifestGenerator;
import io.moestream.tools.k8s.ManifestWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code moe k8s}: the Kubernetes manifests for a model, as a kustomize base and the dev and gpu overlays. */
@Command(name = "k8s", mixinStandardHelpOptions = true,
        description = "Write Kubernetes manifests (Strimzi, KEDA, Prometheus Operator) for a model: one Deployment per expert group.")
public final class K8sCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "The model directory (config.json and weights).")
    Path model;

    @Option(names = "--out", defaultValue = "k8s/generated", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--layers", defaultValue = LayerSelection.ALL,
            description = "MoE layers to serve: all, or layers and ranges such as 0,5-7 (default ${DEFAULT-VALUE}).")
    String layers;

    @Option(names = "--namespace", defaultValue = "moe", description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--gpu", description = "Make the top-level kustomization deploy the gpu overlay instead of dev.")
    boolean gpu;

    @Mixin
    PlacementFlags placement;

    @Option(names = "--max-replicas", defaultValue = "4",
            description = "Replicas of each expert group when packing without a plan file: the most KEDA scales a group"
                    + " to (default ${DEFAULT-VALUE}).")
    int maxReplicas;

    @Option(names = "--gpu-memory", defaultValue = "81920",
            description = "Memory of one GPU in MiB: a group whose weights need more gets several with the gpu overlay"
                    + " (default ${DEFAULT-VALUE}).")
    long gpuMemoryMib;

    @Option(names = "--min-replicas", defaultValue = "1",
            description = "Replicas of an idle expert; 0 lets KEDA scale it to zero (default ${DEFAULT-VALUE}).")
    int minReplicas;

    @Option(names = "--router-max-replicas", defaultValue = "3",
            description = "Max router replicas, and so the token topic's partitions (default ${DEFAULT-VALUE}).")
    int routerMaxReplicas;

    @Option(names = "--expert-cpu", defaultValue = "2", description = "CPU cores requested per expert pod (default ${DEFAULT-VALUE}).")
    int expertCpu;

    @Option(names = "--image-tag", defaultValue = "0.1.0", description = "Tag of the service images (default ${DEFAULT-VALUE}).")
    String imageTag;

    @Option(names = "--compute-dtype", defaultValue = "auto",
            description = "Precision the experts compute in: auto (the checkpoint's; BF16 where the CPU has AMX or "
                    + "AVX512-BF16), fp32 or bf16 (default ${DEFAULT-VALUE}).")
    String computeDtype;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DeploymentPlan plan;
        try (MoeModel opened = MoeModel.open(model)) {
            SortedSet<Integer> served = LayerSelection.parse(layers, opened.moeLayers());
            PlacementPlan groups = placement.source().plan(opened.config(), served);
            if (placement.file() == null) {
                groups = new PlacementPlan(groups.groups().stream().map(g -> g.withReplicas(maxReplicas)).toList(),
                        groups.groupMemoryMib());
            }
            plan = new DeploymentPlan(opened.config(), served, groups, namespace, minReplicas, routerMaxReplicas,
                    expertCpu, gpuMemoryMib, imageTag, computeDtype);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Map<String, List<ObjectNode>> files = new ManifestGenerator(plan).files(gpu);
        ManifestWriter.write(out, files);
        int documents = files.values().stream().mapToInt(List::size).sum();
        List<DeploymentPlan.Group> groups = plan.groups();
        System.out.printf("wrote %d files, %d objects to %s: %s, %d MoE layer(s) x %d served experts = %d experts in %d"
                        + " expert group Deployments%n", files.size(), documents, out, plan.config().modelType(),
                plan.layers().size(), plan.config().servedExperts(), plan.layers().size() * plan.config().servedExperts(),
                groups.size());
        System.out.printf("  experts per group %s, weights per group %s Mi, memory per pod %s Mi, %d CPU per pod,"
                        + " replicas %d..%s per group, partitions per expert topic %s%n",
                range(groups, g -> g.group().experts().size()), range(groups, DeploymentPlan.Group::weightsMib),
                range(groups, DeploymentPlan.Group::memoryMib), plan.expertCpu(), plan.minReplicas(),
                range(groups, g -> g.group().replicas()), range(groups, g -> g.group().partitions()));
        System.out.printf("  GPUs with the gpu overlay: %s per pod, %d..%d in all (min..max replicas)%n",
                range(groups, DeploymentPlan.Group::gpus),
                groups.stream().mapToLong(g -> (long) g.gpus() * plan.minReplicas()).sum(),
                groups.stream().mapToLong(g -> (long) g.gpus() * g.group().replicas()).sum());
        System.out.printf("deploy with: kubectl apply -k %s   (overlay %s; see k8s/README.md)%n", out, gpu ? "gpu" : "dev");
        return 0;
    }

    /** {@code min..max} of a figure over the groups, or the one value when they agree. */
    private static String range(List<DeploymentPlan.Group> groups, ToLongFunction<DeploymentPlan.Group> figure) {
        LongSummaryStatistics stats = groups.stream().mapToLong(figure).summaryStatistics();
        return stats.getMin() == stats.getMax() ? Long.toString(stats.getMin()) : stats.getMin() + ".." + stats.getMax();
    }
}
