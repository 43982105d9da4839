package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * KEDA's schemas for {@code ScaledObject} and {@code TriggerAuthentication}, checked offline by
 * {@code src/test/node/keda-schema/validate_keda.mjs} with the npm package {@code @kubernetes-models/keda} (versions
 * pinned by its {@code package-lock.json}, installed with {@code npm ci} under {@code target/}). KEDA publishes no
 * Java model or schema artifact, so this check needs Node.js.
 */
final class KedaSchema {
    /** The kinds it checks, as {@link OfflineManifestValidator#typeOf} writes them. */
    static final List<String> KINDS = List.of("keda.sh/v1alpha1/ScaledObject", "keda.sh/v1alpha1/TriggerAuthentication");

    private static final NodePackages PACKAGES = new NodePackages("keda-schema",
            List.of("package.json", "package-lock.json", "validate_keda.mjs"));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the script answered: the package it validated with, and per document its problems (none: it passed). */
    record Results(String schema, List<List<String>> problems) {
    }

    private KedaSchema() {
    }

    /**
     * Installs the schema package unless it already is; skips the calling test without Node.js, or fails under CI
     * ({@link NodePackages#install}).
     */
    static void install() throws Exception {
        PACKAGES.install("@kubernetes-models/keda", "the KEDA schema check");
    }

    /** Validates the documents (KEDA kinds only) in one run of the script. Call {@link #install()} first. */
    static Results validate(List<ObjectNode> documents) throws Exception {
        Path input = Files.createTempFile(PACKAGES.dir().toAbsolutePath(), "documents", ".json");
        try {
            JSON.writeValue(input.toFile(), documents);
            JsonNode answer = JSON.readTree(PACKAGES.run(List.of("node", "validate_keda.mjs", input.toString()), 120));
            List<List<String>> problems = new ArrayList<>();
            answer.path("results").forEach(r -> {
                List<String> ofDocument = new ArrayList<>();
                r.forEach(p -> ofDocument.add(p.asText()));
                problems.add(ofDocument);
            });
            assertThat(problems).as("one result per document").hasSize(documents.size());
            return new Results(answer.path("schema").asText(), problems);
        } finally {
            Files.deleteIfExists(input);
        }
    }

    /** The problems of one document, joined; empty when it passes. */
    static String problemsOf(ObjectNode document) throws Exception {
        return String.join("; ", validate(List.of(document)).problems().get(0));
    }
}
