package io.moestream.tools.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Java Flight Recordings of the stack's processes over one measured phase, started and stopped with {@code jcmd}
 * so that start-up and warm-up stay out of the profile. One file per process: {@code DIR/<process>.jfr}.
 */
final class FlightRecordings {
    private static final String NAME = "moe-bench";

    private final Path dir;
    private final List<MeasuredProcess> processes;

    FlightRecordings(Path dir, List<MeasuredProcess> processes) {
        this.dir = dir;
        this.processes = processes;
    }

    void start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (MeasuredProcess process : processes) {
            jcmd(process, "JFR.start", "name=" + NAME, "settings=profile");
        }
    }

    /** Stops every recording and returns the files written. */
    List<Path> stop() throws IOException, InterruptedException {
        List<Path> files = new ArrayList<>();
        for (MeasuredProcess process : processes) {
            Path file = dir.resolve(process.name().replaceAll("[^A-Za-z0-9.-]", "_") + ".jfr").toAbsolutePath();
            jcmd(process, "JFR.stop", "name=" + NAME, "filename=" + file);
            files.add(file);
        }
        return files;
    }

    private static void jcmd(MeasuredProcess process, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(Long.toString(process.pid()));
        args.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed for " + process.name()
                    + ":\n" + output);
        }
    }
}
