package io.moestream.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The machine a bench ran on, as Linux describes it: CPU model, cores, memory, and the Java runtime. */
public record MachineInfo(String cpu, int cores, double memoryGib, String javaRuntime, String os) {

    public static MachineInfo current() {
        return new MachineInfo(
                procValue("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch")),
                Runtime.getRuntime().availableProcessors(),
                procValue("/proc/meminfo", "MemTotal").map(kib -> Long.parseLong(kib.replaceAll("[^0-9]", "")))
                        .map(kib -> Math.round(kib / 1024.0 / 1024.0 * 10) / 10.0).orElse(0.0),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }

    /** The value of the first {@code key: value} line of a /proc file. */
    private static Optional<String> procValue(String file, String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            return lines.stream().filter(line -> line.startsWith(key)).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).strip());
        } catch (IOException notLinux) {
            return Optional.empty();
        }
    }
}
