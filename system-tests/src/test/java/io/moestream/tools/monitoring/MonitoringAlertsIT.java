package io.moestream.tools.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelGenerator.GateSkew;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.Executables;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules of {@code ./moe k8s} on real stacks, evaluated by Debian's Prometheus and delivered by its
 * Alertmanager to a webhook receiver of this test: two stacks side by side on one broker, each with
 * {@code --monitoring}, get the same tokens for the same time. The skewed model (expert 3's gate row scaled 8x among
 * 16 experts: balancedness about 0.3) fires {@code MoeLoadImbalance} (under 0.5 for the router's 3 default windows, 30
 * s) and Alertmanager posts it; the balanced model fires nothing. Every query of the Grafana dashboard is then
 * evaluated by the skewed stack's Prometheus.
 */
class MonitoringAlertsIT {
    private static final ModelSpec SPEC = new ModelSpec(1, 16, 2, 32, 16, 7L);
    private static final int HOT = 3;
    private static final int ROWS = 256;
    /** Short load windows, so the balancedness gauge is fresh at every scrape. */
    private static final Map<String, String> WINDOWS = Map.of("router-service:moe.load.window", "1s");
    private static final Duration GIVE_UP = Duration.ofSeconds(150);
    /** The traffic's pace: tokens in every 1 s load window, without loading the machine while the alert's rule waits. */
    private static final Duration ROUND = Duration.ofMillis(500);
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((\\w+), *\\w+\\)");

    @TempDir
    Path dir;

    @Test
    void shouldDeliverTheImbalanceAlertOfTheSkewedModelAndNoneOfTheBalancedOne() throws Exception {
        Executables.requireOrSkip("prometheus", "MonitoringAlertsIT", "apt-get install prometheus");
        Executables.requireOrSkip("prometheus-alertmanager", "MonitoringAlertsIT", "apt-get install prometheus-alertmanager");
        ModelGenerator.generate(dir.resolve("skewed"), SPEC, ModelGenerator.ExpertLayout.PER_EXPERT, new GateSkew(HOT, 8f));
        ModelGenerator.generate(dir.resolve("balanced"), SPEC);
        try (AlertWebhook skewedHook = new AlertWebhook();
             AlertWebhook balancedHook = new AlertWebhook();
             LocalStack skewed = LocalStack.start(MoeHome.locate(), StackOptions.forModel(dir.resolve("skewed"))
                     .withExtraProperties(WINDOWS).withMonitoring(MonitoringOptions.on(skewedHook.url())), progress("skewed"));
             LocalStack balanced = LocalStack.start(MoeHome.locate(), StackOptions.forModel(dir.resolve("balanced"))
                     .withBootstrap(skewed.bootstrapServers()).withTopics(new Topics("balanced."))
                     .withExtraProperties(WINDOWS).withMonitoring(MonitoringOptions.on(balancedHook.url())),
                     progress("balanced"));
             GatewayClient skewedClient = new GatewayClient(skewed.gatewayAddress());
             GatewayClient balancedClient = new GatewayClient(balanced.gatewayAddress())) {
            PrometheusApi skewedPrometheus = new PrometheusApi(skewed.monitoring().orElseThrow().prometheusUrl());
            PrometheusApi balancedPrometheus = new PrometheusApi(balanced.monitoring().orElseThrow().prometheusUrl());

            // when both stacks get the same tokens, a request each every ROUND, until the skewed one's alert has been
            // delivered (the gauge holds its latest closed window between requests, so the rule's wait needs no more)
            long start = System.nanoTime();
            List<JsonNode> fired = List.of();
            for (int i = 0; fired.isEmpty(); i++) {
                long roundStart = System.nanoTime();
                Matrix x = Matrix.gaussian(ROWS, SPEC.dModel(), i);
                skewedClient.infer("skewed-" + i, 0, x, 64, Duration.ofSeconds(30));
                balancedClient.infer("balanced-" + i, 0, x, 64, Duration.ofSeconds(30));
                Thread.sleep(Math.max(0, ROUND.toMillis() - (System.nanoTime() - roundStart) / 1_000_000));
                fired = skewedHook.alerts();
                assertThat(System.nanoTime() - start).as("no alert delivered within %s; the skewed Prometheus holds %s",
                        GIVE_UP, skewedPrometheus.alerts()).isLessThan(GIVE_UP.toNanos());
            }
            Duration firedAfter = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("MonitoringAlertsIT: MoeLoadImbalance delivered %.1f s after the traffic began: %s%n",
                    firedAfter.toMillis() / 1000.0, fired);

            // then Alertmanager posted MoeLoadImbalance of layer 0, firing
            assertThat(fired).singleElement().satisfies(alert -> {
                assertThat(alert.path("status").asText()).isEqualTo("firing");
                assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("MoeLoadImbalance");
                assertThat(alert.path("labels").path("layer").asText()).isEqualTo("0");
                assertThat(alert.path("labels").path("severity").asText()).isEqualTo("warning");
                assertThat(alert.path("annotations").path("summary").asText()).startsWith("MoE layer 0 is unevenly routed");
            });
            assertThat(value(skewedPrometheus.query("moe_router_layer_balancedness"))).isLessThan(0.5);
            // and the balanced stack, scraped for the same time, alerts nothing, not even pending, on a gauge over 0.5
            assertThat(value(balancedPrometheus.query("moe_router_layer_balancedness"))).isGreaterThan(0.5);
            assertThat(balancedPrometheus.alerts()).isEmpty();
            assertThat(balancedHook.alerts()).isEmpty();
            // and every query of the Grafana dashboard is PromQL that Prometheus takes, with data from these services
            assertDashboardQueriesAnswered(skewedPrometheus);
            // and each Prometheus scraped every service of its stack
            for (PrometheusApi prometheus : List.of(skewedPrometheus, balancedPrometheus)) {
                List<String> up = new ArrayList<>();
                prometheus.activeTargets().forEach(t -> up.add(t.path("labels").path("process").asText() + "="
                        + t.path("health").asText()));
                assertThat(up).containsExactlyInAnyOrder("router=up", "expert-0=up", "gateway=up");
            }
        }
    }

    /**
     * Each panel's query, with the dashboard's {@code $layer} variable at its "All" value, must be accepted by
     * Prometheus' query API and return at least one series: an empty answer means a metric no service exports.
     */
    private static void assertDashboardQueriesAnswered(PrometheusApi prometheus) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(
                MoeHome.locate().root().resolve("k8s/grafana/moe-stream-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target ->
                queries.add(target.path("expr").asText().replace("$layer", ".*"))));
        // the layer variable's values come from label_values(metric, layer): the metric must have series
        dashboard.path("templating").path("list").forEach(variable -> {
            Matcher labelValues = LABEL_VALUES.matcher(variable.path("query").asText());
            if (labelValues.matches()) {
                queries.add(labelValues.group(1));
            }
        });
        assertThat(queries).hasSizeGreaterThan(10);
        SoftAssertions softly = new SoftAssertions();
        for (String query : queries) {
            JsonNode answer = prometheus.raw("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            softly.assertThat(answer.path("status").asText()).as("%s: %s", query, answer).isEqualTo("success");
            softly.assertThat(answer.path("data").path("result")).as("%s returned no series: a metric no service exports?",
                    query).isNotEmpty();
        }
        softly.assertAll();
    }

    private static double value(JsonNode queryData) {
        JsonNode result = queryData.path("result");
        assertThat(result).as("one series: %s", queryData).hasSize(1);
        return result.get(0).path("value").get(1).asDouble();
    }

    private static java.util.function.Consumer<String> progress(String stack) {
        return line -> System.out.println("  [" + stack + "] " + line);
    }
}
