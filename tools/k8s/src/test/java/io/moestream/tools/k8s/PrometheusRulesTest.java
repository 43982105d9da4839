package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.Executables;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of {@code ./moe k8s} evaluated by Prometheus' own {@code promtool}: the rule file parses and
 * type-checks, and the unit tests in {@code src/test/resources/promtool/moe-alerts.test.yml} fire every alert on the
 * series that should fire it and keep it quiet on the series just outside. {@code .ci/run} installs Debian's
 * {@code prometheus}, which ships {@code promtool}.
 */
class PrometheusRulesTest {
    private static final Path DIR = Path.of("target", "promtool");
    private static final String TESTS = "moe-alerts.test.yml";

    @BeforeEach
    void writeRulesAndTests() throws Exception {
        Executables.requireOrSkip("promtool", "the test of the alert rules", "apt-get install prometheus");
        Files.createDirectories(DIR);
        PrometheusRuleFile.write(Topics.DEFAULT, DIR.resolve("rules.yml"));
        try (InputStream tests = getClass().getResourceAsStream("/promtool/" + TESTS)) {
            Files.write(DIR.resolve(TESTS), tests.readAllBytes());
        }
    }

    @Test
    void shouldPassPromtoolsCheckOfTheGeneratedRules() throws Exception {
        Run check = promtool("check", "rules", "rules.yml");

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts(DIR.resolve("rules.yml")).size() + " rules found");
    }

    @Test
    void shouldFireEveryAlertOnItsSeriesAndStayQuietJustOutside() throws Exception {
        Run test = promtool("test", "rules", TESTS);

        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void shouldTestEveryAlertFiringAndQuiet() throws Exception {
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode group : ManifestTemplates.YAML.readTree(DIR.resolve(TESTS).toFile()).path("tests")) {
            for (JsonNode eval : group.path("alert_rule_test")) {
                (eval.path("exp_alerts").isEmpty() ? quiet : firing).add(eval.path("alertname").asText());
            }
        }

        assertThat(firing).as("alerts with a test that fires them").isEqualTo(alerts(DIR.resolve("rules.yml")));
        assertThat(quiet).as("alerts with a test that keeps them quiet").isEqualTo(firing);
    }

    @Test
    void shouldFailTheTestsWhenAThresholdMoves() throws Exception {
        // given the imbalance rule firing at balancedness 0.5 itself, where it must stay quiet
        Path rules = DIR.resolve("rules.yml");
        String moved = Files.readString(rules).replace("(moe_router_layer_balancedness) < 0.5", "(moe_router_layer_balancedness) <= 0.5");
        assertThat(moved).isNotEqualTo(Files.readString(rules));
        Files.writeString(rules, moved);

        Run test = promtool("test", "rules", TESTS);

        assertThat(test.exitCode()).isNotZero();
        assertThat(test.output()).contains("FAILED").contains("alertname: MoeLoadImbalance").contains("layer=\"1\"");
    }

    private static Set<String> alerts(Path rules) throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : ManifestTemplates.YAML.readTree(rules.toFile()).path("groups")) {
            group.path("rules").forEach(rule -> names.add(rule.path("alert").asText()));
        }
        assertThat(names).hasSize(7).contains("MoeLoadImbalance");
        return names;
    }

    private record Run(int exitCode, String output) {
    }

    private static Run promtool(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command + " finished").isTrue();
        return new Run(p.exitValue(), output);
    }
}
