package io.moestream.tools.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The alert rules {@code ./moe k8s} writes (the {@code moe-alerts} PrometheusRule of {@code monitoring.yaml}) as a
 * plain Prometheus rule file: the rule's {@code spec} is exactly that file's {@code groups:} document. So the local
 * stack's Prometheus and {@code promtool} in the tests evaluate the very rules a cluster gets, from one template.
 */
public final class PrometheusRuleFile {
    static final String RULE_NAME = "moe-alerts";

    private PrometheusRuleFile() {
    }

    /** The rule file's text (YAML) for a pipeline with these topic names. */
    public static String yaml(Topics topics) {
        List<ObjectNode> documents = ManifestTemplates.render("monitoring.yaml", ManifestGenerator.monitoringValues(topics));
        ObjectNode rule = documents.stream()
                .filter(d -> d.path("kind").asText().equals("PrometheusRule")
                        && d.path("metadata").path("name").asText().equals(RULE_NAME))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("monitoring.yaml has no PrometheusRule " + RULE_NAME));
        try {
            return ManifestWriter.text(rule.path("spec"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the rules of " + RULE_NAME, e);
        }
    }

    /** Writes {@link #yaml(Topics)} to {@code file}. */
    public static Path write(Topics topics, Path file) throws IOException {
        return Files.writeString(file, yaml(topics));
    }
}
