package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.testsupport.Executables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An npm package directory of {@code src/test/node} (a {@code package.json}, a {@code package-lock.json} that pins
 * every package and its checksum, and the scripts using them), installed with {@code npm ci} under {@code target/},
 * where the schema checks run. The lock file names no registry: npm uses the configured one.
 */
final class NodePackages {
    private final Path sources;
    private final List<String> files;
    private final Path dir;

    NodePackages(String name, List<String> files) {
        this.sources = Path.of("src", "test", "node", name);
        this.files = files;
        this.dir = Path.of("target", name);
    }

    Path dir() {
        return dir;
    }

    /**
     * Copies the files and installs the packages unless the same lock file is installed already ({@code installed}: a
     * path under {@code node_modules} that exists once it is). Without {@code node} and {@code npm} on the PATH it skips
     * the calling test with a printed reason, except under CI ({@code CI=true}), where Node.js is part of the
     * environment and its absence must fail the build rather than leave {@code what} unchecked.
     */
    void install(String installed, String what) throws Exception {
        Executables.requireOrSkip("node", what, "install Node.js 20+");
        Executables.requireOrSkip("npm", what, "install Node.js 20+ with npm");
        Files.createDirectories(dir);
        boolean sameLock = Files.exists(dir.resolve("package-lock.json"))
                && Files.mismatch(sources.resolve("package-lock.json"), dir.resolve("package-lock.json")) == -1;
        for (String file : files) {
            Files.copy(sources.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!sameLock || !Files.exists(dir.resolve("node_modules").resolve(installed))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
    }

    /** Runs a command in the install directory; its standard output, after asserting it exited with 0. */
    String run(List<String> command, int timeoutSeconds) throws Exception {
        Result result = runAllowingFailure(command, timeoutSeconds);
        assertThat(result.exitCode()).as(command + " exit code; output:\n" + result.output() + result.errors()).isZero();
        return result.output();
    }

    /** What a command printed on its standard output and error, and its exit code. */
    record Result(int exitCode, String output, String errors) {
    }

    Result runAllowingFailure(List<String> command, int timeoutSeconds) throws Exception {
        Path errors = Files.createTempFile(dir.toAbsolutePath(), "stderr", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(errors.toFile()).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as(command + " finished").isTrue();
            return new Result(p.exitValue(), output, Files.readString(errors));
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
