package io.moestream.tools.oip;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.testsupport.Executables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js OIP client of {@code src/test/node}: installed with npm (its two packages, no lock file) into a
 * directory under {@code target/}, then run with node.
 */
final class NodeClient {
    private static final Path SOURCES = Path.of("src", "test", "node");
    private static final String SCRIPT = "oip_client.mjs";

    private final Path dir;

    private NodeClient(Path dir) {
        this.dir = dir;
    }

    /** Copies the client into {@code dir} and installs its packages there unless they already are. */
    static NodeClient install(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String file : List.of("package.json", SCRIPT)) {
            Files.copy(SOURCES.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/@grpc/grpc-js"))
                || !Files.isDirectory(dir.resolve("node_modules/@grpc/proto-loader"))) {
            // no lock file: it would record the registry's address, and the two versions are pinned in package.json
            run(dir, List.of("npm", "install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"),
                    300);
        }
        return new NodeClient(dir);
    }

    /** Runs the client against {@code gateway}; it reads and writes in {@code workDir}. */
    void run(Path protoFile, String gateway, Path workDir) throws Exception {
        run(dir, List.of("node", SCRIPT, protoFile.toAbsolutePath().toString(), gateway,
                workDir.toAbsolutePath().toString()), 300);
    }

    private static void run(Path dir, List<String> command, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as(command + " finished").isTrue();
        System.out.print(output);
        assertThat(p.exitValue()).as(command + " exit code; output:\n" + output).isZero();
    }
}
