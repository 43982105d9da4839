package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in {@code k8s/grafana} matches Grafana's dashboard model ({@link GrafanaSchema}), and every moe
 * metric its queries use is one the metric table of {@code docs/load-and-alerts.md} documents. {@code MonitoringAlertsIT} evaluates each of its
 * queries against a Prometheus scraping a real stack. Loading it into a Grafana is not done here.
 */
class GrafanaDashboardTest {
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Path DASHBOARD = ROOT.resolve("k8s/grafana/moe-stream-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("moe_[a-z_]+");

    @Test
    void shouldMatchGrafanasDashboardSchema() throws Exception {
        GrafanaSchema.install();

        assertThat(GrafanaSchema.problemsOf(dashboard())).isEmpty();
    }

    @Test
    void shouldRejectFieldsAndTypesGrafanasSchemaDoesNotHave() throws Exception {
        GrafanaSchema.install();
        ObjectNode misspelt = dashboard();
        ObjectNode panel = (ObjectNode) misspelt.path("panels").get(0);
        panel.set("gridPoz", panel.remove("gridPos"));
        ObjectNode mistyped = dashboard();
        mistyped.put("refresh", 30);

        assertThat(GrafanaSchema.problemsOf(misspelt)).singleElement()
                .satisfies(error -> assertThat(error).contains("'\"gridPoz\"' does not exist in type"));
        assertThat(GrafanaSchema.problemsOf(mistyped)).singleElement()
                .satisfies(error -> assertThat(error).contains("Type 'number' is not assignable to type 'string'"));
    }

    private static ObjectNode dashboard() throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    @Test
    void shouldQueryOnlyDocumentedMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        String metricsPage = Files.readString(ROOT.resolve("docs/load-and-alerts.md"));
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    // histogram and summary series carry a suffix the documented names leave out
                    used.add(m.group().replaceAll("_(bucket|sum|count)$", ""));
                }
            }
        }
        assertThat(used).contains("moe_router_expert_tokens_total", "moe_router_layer_balancedness",
                "moe_expert_lag_records", "moe_gateway_chunk_latency_seconds");
        assertThat(used).allSatisfy(metric -> assertThat(metricsPage).as(metric).contains("`" + metric));
    }
}
