package io.moestream.tools.monitoring;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Debian's {@code prometheus} and {@code prometheus-alertmanager} programs, found on the PATH. */
public record MonitoringBinaries(Path prometheus, Path alertmanager) {
    static final String INSTALL = "sudo apt-get install prometheus prometheus-alertmanager";

    /** Both programs, or an {@link IllegalArgumentException} (a user error: one line) saying how to install the missing ones. */
    public static MonitoringBinaries locate() {
        Optional<Path> prometheus = onPath("prometheus");
        Optional<Path> alertmanager = onPath("prometheus-alertmanager");
        if (prometheus.isEmpty() || alertmanager.isEmpty()) {
            List<String> missing = Stream.of(prometheus.isEmpty() ? "prometheus" : null,
                    alertmanager.isEmpty() ? "prometheus-alertmanager" : null).filter(m -> m != null).toList();
            throw new IllegalArgumentException("--monitoring needs " + String.join(" and ", missing)
                    + " on the PATH: install Debian's packages with `" + INSTALL + "`");
        }
        return new MonitoringBinaries(prometheus.get(), alertmanager.get());
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }
}
