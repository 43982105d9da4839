package io.moestream.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moestream.core.model.MoeModel;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.GroupPacker;
import io.moestream.core.placement.HotExperts;
import io.moestream.core.placement.PlacementPlan;
import io.moestream.core.placement.PlanFile;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.tools.replay.TimeBound;
import io.moestream.tools.report.ExpertLoadReader;
import io.moestream.tools.report.LayerReport;
import io.moestream.tools.report.LoadReport;
import io.moestream.tools.report.ReportPrinter;
import io.moestream.tools.report.ReportSettings;
import io.moestream.tools.stack.PlanSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code moe report}: per-layer expert load from the router's load windows, prune candidates and a replica plan. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Read the router's expert-load windows and print, per MoE layer, the load table, balancedness over "
                + "time, experts to prune (rarely used) and experts to replicate (and how many replicas each).")
public final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", required = true, description = "Kafka cluster HOST:PORT.")
    String bootstrap;

    @Option(names = "--topic-prefix", defaultValue = "", description = "Topic prefix of the pipeline (default none).")
    String topicPrefix;

    @Option(names = "--since", defaultValue = "1h",
            description = "Start of the range: a duration before now (15m, 1h, PT30M), an ISO instant, or now (default ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--prune-share", defaultValue = "0.02",
            description = "An expert with less than this share of the layer's assignments is a prune candidate (default ${DEFAULT-VALUE}).")
    double pruneShare;

    @Option(names = "--target-balancedness", defaultValue = "0.8",
            description = "Balancedness (mean/max load over replicas) the replica plan aims for (default ${DEFAULT-VALUE}).")
    double targetBalancedness;

    @Option(names = "--max-extra-replicas", defaultValue = "16",
            description = "Most replicas the plan adds per layer (default ${DEFAULT-VALUE}).")
    int maxExtraReplicas;

    @Option(names = "--time-buckets", defaultValue = "12",
            description = "Most rows of the balancedness-over-time table per layer (default ${DEFAULT-VALUE}).")
    int timeBuckets;

    @Option(names = "--json", description = "Print one JSON document instead of tables.")
    boolean json;

    @Option(names = "--plan", description = "Also write a placement plan from the observed load to this file (needs --model):"
            + " the experts packed by --group-memory, and each expert the replica plan replicates in a group of its own with"
            + " that many replicas and partitions. ./moe up --placement and ./moe k8s --placement take it.")
    Path plan;

    @Option(names = "--model", description = "The served model's directory, for --plan.")
    Path model;

    @Option(names = "--group-memory", defaultValue = "" + GroupPacker.DEFAULT_GROUP_MEMORY_MIB,
            description = "Weights per expert group in MiB, for --plan (default ${DEFAULT-VALUE}).")
    long groupMemoryMib;

    @Override
    public Integer call() throws Exception {
        ReportSettings settings;
        Instant from;
        try {
            settings = new ReportSettings(pruneShare, targetBalancedness, maxExtraReplicas, timeBuckets);
            from = TimeBound.parse(since, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        String topic = new Topics(topicPrefix).expertLoad();
        List<ExpertLoad> loads = ExpertLoadReader.read(bootstrap, topic, from, Duration.ofSeconds(30));
        List<LayerReport> layers = LoadReport.build(loads, settings);
        if (plan != null) {
            writePlan(layers);
        }
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("topic", topic);
            document.put("since", from.toString());
            document.put("settings", settings);
            document.put("layers", layers);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
            return 0;
        }
        System.out.printf("%s since %s: %d load windows%n", topic, from, loads.size());
        if (layers.isEmpty()) {
            System.out.println("no load windows in the range (is traffic flowing, and is the router's window shorter than the range?)");
        }
        for (LayerReport layer : layers) {
            System.out.println();
            ReportPrinter.print(layer, settings, System.out);
        }
        return 0;
    }

    /** The default packing of the served model, with the replica plan's hot experts split out ({@link HotExperts}). */
    private void writePlan(List<LayerReport> layers) {
        if (model == null) {
            throw new ParameterException(spec.commandLine(), "--plan needs --model, the served model's directory");
        }
        try (MoeModel opened = MoeModel.open(model)) {
            Map<ExpertId, Integer> replicas = new HashMap<>();
            for (LayerReport layer : layers) {
                for (int expert : layer.replicas().toAdd()) {
                    replicas.put(new ExpertId(layer.layer(), expert), layer.replicas().perExpert()[expert]);
                }
            }
            PlacementPlan base = GroupPacker.byMemory(opened.config(), opened.moeLayers(), groupMemoryMib);
            PlacementPlan written = HotExperts.split(base, replicas);
            written.check(opened.config(), opened.moeLayers());
            PlanFile.write(written, plan);
            System.err.printf("wrote the placement plan %s: %s%n", plan, PlanSummary.of(written, opened.config()));
        }
    }
}
