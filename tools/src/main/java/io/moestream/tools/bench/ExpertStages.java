package io.moestream.tools.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The split of the experts' stage of a round trip, from the expert services' own timers
 * ({@code moe_expert_stage_seconds}, tagged {@code stage}): the mean time per window of each stage between two
 * snapshots of their Prometheus endpoints, over every expert of every expert process.
 */
final class ExpertStages {
    private static final Pattern SERIES = Pattern.compile(
            "^moe_expert_stage_seconds_(sum|count)\\{[^}]*stage=\"([a-z]+)\"[^}]*} ([0-9.eE+-]+)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<String> metricsUrls;

    /** {@code httpAddresses}: the expert services' HTTP addresses (e.g. {@code http://127.0.0.1:8081}). */
    ExpertStages(List<String> httpAddresses) {
        this.metricsUrls = httpAddresses.stream().map(address -> address + "/q/metrics").toList();
    }

    /** Per stage, the seconds and windows counted so far by every expert. */
    Map<String, double[]> snapshot() throws IOException, InterruptedException {
        Map<String, double[]> totals = new LinkedHashMap<>();
        for (String url : metricsUrls) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            addSeries(response.body(), totals);
        }
        return totals;
    }

    /** Per stage, the mean milliseconds per window between {@code before} and {@code after}. */
    static Map<String, Double> meanMillis(Map<String, double[]> before, Map<String, double[]> after) {
        Map<String, Double> means = new LinkedHashMap<>();
        after.forEach((stage, total) -> {
            double[] start = before.getOrDefault(stage, new double[2]);
            double windows = total[1] - start[1];
            if (windows > 0) {
                means.put(stage, (total[0] - start[0]) / windows * 1000);
            }
        });
        return means;
    }

    /** Adds each {@code moe_expert_stage_seconds} sum and count of a Prometheus text page to {@code totals}. */
    static void addSeries(String page, Map<String, double[]> totals) {
        for (String line : page.split("\n")) {
            Matcher m = SERIES.matcher(line.trim());
            if (m.matches()) {
                double[] total = totals.computeIfAbsent(m.group(2), stage -> new double[2]);
                total[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(3));
            }
        }
    }
}
