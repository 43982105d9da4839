package io.moestream.tools.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

/**
 * Grafana's dashboard model, {@code Dashboard} of the npm package {@code @grafana/schema} (TypeScript types Grafana
 * generates from its schema), checked by the TypeScript compiler: the dashboard JSON becomes a constant of that type
 * ({@code src/test/node/grafana-schema/dashboard-type.ts} maps each enum to its values, as JSON holds them), so a field
 * the model does not have, a wrong type or a missing required field is a compile error. Both packages are pinned by
 * the directory's {@code package-lock.json}.
 */
final class GrafanaSchema {
    private static final NodePackages PACKAGES = new NodePackages("grafana-schema",
            List.of("package.json", "package-lock.json", "tsconfig.json", "dashboard-type.ts"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private GrafanaSchema() {
    }

    /** Installs the packages unless they already are; skips without Node.js, or fails under CI ({@link NodePackages}). */
    static void install() throws Exception {
        PACKAGES.install("@grafana/schema/package.json", "the Grafana dashboard schema check");
    }

    /** The compiler's errors for {@code dashboard} (each naming the line of the JSON as pretty-printed); none: it passes. */
    static List<String> problemsOf(JsonNode dashboard) throws Exception {
        Files.writeString(PACKAGES.dir().resolve("dashboard.ts"), "import type { DashboardJson } from \"./dashboard-type\";\n"
                + "export const dashboard: DashboardJson = " + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(dashboard)
                + ";\n");
        NodePackages.Result result = PACKAGES.runAllowingFailure(
                List.of("node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.json"), 120);
        List<String> errors = Arrays.stream(result.output().split("\n")).filter(line -> line.contains("error TS")).toList();
        if (result.exitCode() != 0 && errors.isEmpty()) {
            throw new AssertionError("tsc failed without a type error:\n" + result.output() + result.errors());
        }
        return errors;
    }
}
