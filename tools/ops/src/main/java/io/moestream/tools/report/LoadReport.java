package io.moestream.tools.report;

import io.moestream.core.load.ReplicaPlan;
import io.moestream.proto.v1.ExpertLoad;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Turns the load windows of a time range into one {@link LayerReport} per layer. */
public final class LoadReport {
    private LoadReport() {
    }

    public static List<LayerReport> build(List<ExpertLoad> loads, ReportSettings settings) {
        Map<Integer, List<ExpertLoad>> byLayer = loads.stream().collect(Collectors.groupingBy(ExpertLoad::getLayer,
                TreeMap::new, Collectors.toList()));
        List<LayerReport> reports = new ArrayList<>();
        byLayer.forEach((layer, windows) -> reports.add(layer(layer, windows, settings)));
        return reports;
    }

    private static LayerReport layer(int layer, List<ExpertLoad> windows, ReportSettings settings) {
        windows = windows.stream().sorted(Comparator.comparingLong(ExpertLoad::getWindowStartMs)).toList();
        int experts = windows.stream().mapToInt(ExpertLoad::getExpertTokensCount).max().orElse(0);
        long[] tokens = new long[experts];
        double[] gateWeight = new double[experts];
        long chunks = 0;
        long rows = 0;
        for (ExpertLoad w : windows) {
            chunks += w.getChunks();
            rows += w.getRows();
            for (int e = 0; e < w.getExpertTokensCount(); e++) {
                tokens[e] += w.getExpertTokens(e);
                gateWeight[e] += w.getExpertGateWeight(e);
            }
        }
        long total = IntStream.range(0, experts).mapToLong(e -> tokens[e]).sum();
        List<LayerReport.ExpertRow> rowsPerExpert = new ArrayList<>();
        for (int e = 0; e < experts; e++) {
            rowsPerExpert.add(new LayerReport.ExpertRow(e, tokens[e], total == 0 ? 0 : (double) tokens[e] / total,
                    tokens[e] == 0 ? 0 : gateWeight[e] / tokens[e]));
        }
        List<Integer> prune = rowsPerExpert.stream()
                .filter(r -> r.share() < settings.pruneShare())
                .sorted(Comparator.comparingLong(LayerReport.ExpertRow::tokens))
                .map(LayerReport.ExpertRow::expert).toList();
        ReplicaPlan plan = ReplicaPlan.plan(tokens, settings.targetBalancedness(), settings.maxExtraReplicas());
        List<Integer> toAdd = IntStream.range(0, experts).filter(e -> plan.replicas()[e] > 1).boxed()
                .sorted(Comparator.comparingLong((Integer e) -> tokens[e]).reversed()).toList();
        return new LayerReport(layer, windows.size(), chunks, rows, balancedness(tokens), rowsPerExpert,
                buckets(windows, settings.timeBuckets()), prune,
                new LayerReport.Replicas(plan.replicas(), plan.balancedness(), toAdd));
    }

    /** Consecutive windows in at most {@code count} groups of (nearly) equal size, oldest first. */
    private static List<LayerReport.TimeBucket> buckets(List<ExpertLoad> windows, int count) {
        List<LayerReport.TimeBucket> buckets = new ArrayList<>();
        int size = Math.max(1, (windows.size() + count - 1) / count);
        for (int from = 0; from < windows.size(); from += size) {
            List<ExpertLoad> group = windows.subList(from, Math.min(windows.size(), from + size));
            buckets.add(new LayerReport.TimeBucket(group.get(0).getWindowStartMs(), group.get(group.size() - 1).getWindowEndMs(),
                    group.size(),
                    group.stream().mapToDouble(ExpertLoad::getBalancedness).average().orElse(0),
                    group.stream().mapToDouble(ExpertLoad::getBalancedness).min().orElse(0),
                    group.stream().mapToDouble(ExpertLoad::getCoefficientOfVariation).average().orElse(0),
                    group.stream().mapToDouble(ExpertLoad::getSwitchAux).average().orElse(0)));
        }
        return buckets;
    }

    private static double balancedness(long[] tokens) {
        long max = 0;
        long total = 0;
        for (long t : tokens) {
            max = Math.max(max, t);
            total += t;
        }
        return max == 0 ? 0 : (double) total / tokens.length / max;
    }
}
