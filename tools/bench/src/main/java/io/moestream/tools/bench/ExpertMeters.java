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
 * The expert services' own meters, read from their Prometheus endpoints and summed over every expert of every expert
 * process: the stage timers ({@code moe_expert_stage_seconds}, tagged {@code stage}), which split the experts' part of
 * a round trip, and the rows per kernel call ({@code moe_expert_batch_rows}), which say how well tasks merged. Each
 * figure is a mean between two snapshots.
 */
final class ExpertMeters {
    private static final Pattern STAGE = Pattern.compile(
            "^moe_expert_stage_seconds_(sum|count)\\{[^}]*stage=\"([a-z]+)\"[^}]*} ([0-9.eE+-]+)$");
    private static final Pattern BATCH_ROWS = Pattern.compile("^moe_expert_batch_rows_(sum|count)\\{[^}]*} ([0-9.eE+-]+)$");
    /** The key of the rows per kernel call in a snapshot, beside the stages' names. */
    static final String BATCH_ROWS_KEY = "batch rows";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<String> metricsUrls;

    /** {@code httpAddresses}: the expert services' HTTP addresses (e.g. {@code http://127.0.0.1:8081}). */
    ExpertMeters(List<String> httpAddresses) {
        this.metricsUrls = httpAddresses.stream().map(address -> address + "/q/metrics").toList();
    }

    /** Per stage, the seconds and windows counted so far by every expert; under {@link #BATCH_ROWS_KEY}, rows and calls. */
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
            if (stage.equals(BATCH_ROWS_KEY)) {
                return;
            }
            double[] start = before.getOrDefault(stage, new double[2]);
            double windows = total[1] - start[1];
            if (windows > 0) {
                means.put(stage, (total[0] - start[0]) / windows * 1000);
            }
        });
        return means;
    }

    /** The mean rows per kernel call between {@code before} and {@code after}; 0 when there was none. */
    static double meanBatchRows(Map<String, double[]> before, Map<String, double[]> after) {
        double[] start = before.getOrDefault(BATCH_ROWS_KEY, new double[2]);
        double[] end = after.getOrDefault(BATCH_ROWS_KEY, new double[2]);
        double calls = end[1] - start[1];
        return calls > 0 ? (end[0] - start[0]) / calls : 0;
    }

    /** Adds each stage timer's and the batch rows' sum and count on a Prometheus text page to {@code totals}. */
    static void addSeries(String page, Map<String, double[]> totals) {
        for (String line : page.split("\n")) {
            String series = line.trim();
            Matcher stage = STAGE.matcher(series);
            if (stage.matches()) {
                add(totals, stage.group(2), stage.group(1), stage.group(3));
            }
            Matcher batch = BATCH_ROWS.matcher(series);
            if (batch.matches()) {
                add(totals, BATCH_ROWS_KEY, batch.group(1), batch.group(2));
            }
        }
    }

    private static void add(Map<String, double[]> totals, String key, String sumOrCount, String value) {
        double[] total = totals.computeIfAbsent(key, k -> new double[2]);
        total[sumOrCount.equals("sum") ? 0 : 1] += Double.parseDouble(value);
    }
}
