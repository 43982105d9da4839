package io.moestream.tools.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeModel;
import io.moestream.tools.k8s.DeploymentPlan;
import io.moestream.tools.k8s.ManifestGenerator;
import io.moestream.tools.k8s.ManifestWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code moe k8s}: the Kubernetes manifests for a model, as a kustomize base and the dev and gpu overlays. */
@Command(name = "k8s", mixinStandardHelpOptions = true,
        description = "Write Kubernetes manifests (Strimzi, KEDA, Prometheus Operator) for a model: one Deployment per expert.")
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

    @Option(names = "--max-replicas", defaultValue = "4",
            description = "Max replicas of a routed expert, and so its topic's partitions (default ${DEFAULT-VALUE}).")
    int maxReplicas;

    @Option(names = "--shared-max-replicas",
            description = "Max replicas of a shared expert, which gets every row (default: --max-replicas).")
    Integer sharedMaxReplicas;

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DeploymentPlan plan;
        try (MoeModel opened = MoeModel.open(model)) {
            plan = new DeploymentPlan(opened.config(), LayerSelection.parse(layers, opened.moeLayers()), namespace, maxReplicas,
                    sharedMaxReplicas == null ? maxReplicas : sharedMaxReplicas, minReplicas, routerMaxReplicas,
                    expertCpu, imageTag);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Map<String, List<ObjectNode>> files = new ManifestGenerator(plan).files(gpu);
        ManifestWriter.write(out, files);
        int documents = files.values().stream().mapToInt(List::size).sum();
        System.out.printf("wrote %d files, %d objects to %s: %s, %d MoE layer(s) x %d served experts = %d expert Deployments%n",
                files.size(), documents, out, plan.config().modelType(), plan.layers().size(),
                plan.config().servedExperts(), plan.experts().size());
        for (boolean shared : new boolean[] {false, true}) {
            plan.experts().stream().filter(e -> e.shared() == shared).findFirst().ifPresent(e -> {
                long count = plan.experts().stream().filter(x -> x.shared() == shared).count();
                System.out.printf("  %s experts: %d Deployments, %d partitions per topic, replicas %d..%d each, %d Mi and %d CPU per pod,"
                                + " GPUs with the gpu overlay %d..%d%n", shared ? "shared" : "routed", count, e.maxReplicas(),
                        plan.minReplicas(), e.maxReplicas(), e.memoryMib(), plan.expertCpu(),
                        count * plan.minReplicas(), count * e.maxReplicas());
            });
        }
        System.out.printf("deploy with: kubectl apply -k %s   (overlay %s; see k8s/README.md)%n", out, gpu ? "gpu" : "dev");
        return 0;
    }
}
