package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.testsupport.Executables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * KEDA's schemas for {@code ScaledObject} and {@code TriggerAuthentication}, checked offline by
 * {@code src/test/node/keda-schema/validate_keda.mjs} with the npm package {@code @kubernetes-models/keda} (versions
 * pinned by its {@code package-lock.json}, installed with {@code npm ci} under {@code target/}). KEDA publishes no
 * Java model or schema artifact, so this is the one place that needs Node.js.
 */
final class KedaSchema {
    /** The kinds it checks, as {@link OfflineManifestValidator#typeOf} writes them. */
    static final List<String> KINDS = List.of("keda.sh/v1alpha1/ScaledObject", "keda.sh/v1alpha1/TriggerAuthentication");

    private static final Path SOURCES = Path.of("src", "test", "node", "keda-schema");
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "validate_keda.mjs");
    private static final Path DIR = Path.of("target", "keda-schema");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the script answered: the package it validated with, and per document its problems (none: it passed). */
    record Results(String schema, List<List<String>> problems) {
    }

    private KedaSchema() {
    }

    /**
     * Installs the schema package unless it already is. Without {@code node} and {@code npm} on the PATH it skips the
     * calling test with a printed reason, as {@code OipNodeClientIT} does, except under CI ({@code CI=true}), where
     * Node.js is part of the environment and its absence must fail the build rather than leave KEDA unchecked.
     */
    static void install() throws Exception {
        boolean nodeHere = Executables.available("node") && Executables.available("npm");
        String why = "node and npm are not on the PATH (the KEDA schema check needs Node.js 20+ and npm)";
        if (!nodeHere) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true, and Node.js is part of CI's environment, but " + why);
            }
            System.out.println("KEDA schema check skipped: " + why);
        }
        Assumptions.assumeTrue(nodeHere, why);
        Files.createDirectories(DIR);
        boolean sameLock = Files.exists(DIR.resolve("package-lock.json"))
                && Files.mismatch(SOURCES.resolve("package-lock.json"), DIR.resolve("package-lock.json")) == -1;
        for (String file : FILES) {
            Files.copy(SOURCES.resolve(file), DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!sameLock || !Files.isDirectory(DIR.resolve("node_modules/@kubernetes-models/keda"))) {
            // the lock file pins every package and its checksum; it names no registry, npm uses the configured one
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
    }

    /** Validates the documents (KEDA kinds only) in one run of the script. Call {@link #install()} first. */
    static Results validate(List<ObjectNode> documents) throws Exception {
        Path input = Files.createTempFile(DIR.toAbsolutePath(), "documents", ".json");
        try {
            JSON.writeValue(input.toFile(), documents);
            JsonNode answer = JSON.readTree(run(List.of("node", "validate_keda.mjs", input.toString()), 120));
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

    /** Runs a command in the install directory; its standard output, after asserting it exited with 0. */
    private static String run(List<String> command, int timeoutSeconds) throws Exception {
        Path errors = Files.createTempFile(DIR.toAbsolutePath(), "stderr", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(DIR.toFile())
                    .redirectError(errors.toFile()).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as(command + " finished").isTrue();
            assertThat(p.exitValue()).as(command + " exit code; output:\n" + output + Files.readString(errors)).isZero();
            return output;
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
