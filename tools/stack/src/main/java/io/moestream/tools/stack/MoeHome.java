package io.moestream.tools.stack;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The repository checkout the {@code moe} launcher runs from: where the service jars and the broker's
 * libraries are built. The launcher script passes it as {@code -Dmoe.home}; otherwise the nearest
 * directory upwards from the working directory that holds the {@code moe} script is used.
 */
public record MoeHome(Path root) {

    public static MoeHome locate() {
        String property = System.getProperty("moe.home");
        if (property != null && !property.isBlank()) {
            return new MoeHome(Path.of(property).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("moe")) && Files.isDirectory(dir.resolve("gateway"))) {
                return new MoeHome(dir);
            }
        }
        throw new IllegalStateException("cannot find the moe-stream checkout: set -Dmoe.home=DIR");
    }

    /** The runnable Quarkus jar of a service module, e.g. {@code gateway}. */
    public Path serviceJar(String module) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        return built(jar, Files.isRegularFile(jar));
    }

    /**
     * The JVM arguments that run {@code mainClass} from {@code classpath} as a child of the stack: under the
     * exit-with-parent main class (module {@code tools/exit-with-parent}), which stops the child when this process is
     * gone, so that a SIGKILL of {@code ./moe up} leaves no broker or service.
     */
    public List<String> exitWithParent(String classpath, String mainClass) {
        return List.of("-cp", classpath + File.pathSeparator + exitWithParentJar(),
                "io.moestream.exitwithparent.ExitWithParent", mainClass);
    }

    /** The jar of {@link #exitWithParent}'s main class, on every child JVM's class path. */
    public Path exitWithParentJar() {
        Path jar = root.resolve("tools/exit-with-parent/target/exit-with-parent.jar");
        return built(jar, Files.isRegularFile(jar));
    }

    /** Kafka's server and its dependencies (module {@code tools/local-broker}), the classpath of the embedded broker. */
    public Path libDir() {
        Path lib = root.resolve("tools/local-broker/target/lib");
        return built(lib, Files.isDirectory(lib));
    }

    /** {@code path} when the build made it, else a failure that says how to build it. */
    private static Path built(Path path, boolean present) {
        if (!present) {
            throw new IllegalStateException(path + " is missing: build with `mvn -DskipTests package` (./moe does it on first use)");
        }
        return path;
    }
}
