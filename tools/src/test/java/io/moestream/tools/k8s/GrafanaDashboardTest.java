package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in {@code k8s/grafana} parses, and every moe metric its queries use is one the README's metric
 * table documents (so a renamed meter cannot silently blank a panel). Loading it into a Grafana is not done here.
 */
class GrafanaDashboardTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern METRIC = Pattern.compile("moe_[a-z_]+");

    @Test
    void shouldQueryOnlyDocumentedMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("k8s/grafana/moe-stream-dashboard.json").toFile());
        String readme = Files.readString(ROOT.resolve("README.md"));
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    // histogram and summary series carry a suffix the README's names leave out
                    used.add(m.group().replaceAll("_(bucket|sum|count)$", ""));
                }
            }
        }
        assertThat(used).contains("moe_router_expert_tokens_total", "moe_router_layer_balancedness",
                "moe_expert_lag_records", "moe_gateway_chunk_latency_seconds");
        assertThat(used).allSatisfy(metric -> assertThat(readme).as(metric).contains("`" + metric));
    }
}
