package io.moestream.tools.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A class-data-sharing archive of one program of the local stack (JDK 17's dynamic AppCDS): the classes the program
 * had loaded when it was first ready, which its later starts map from the file instead of loading, parsing and
 * verifying each again. A service or the broker then starts on about a fifth less CPU (docs/testing.md).
 *
 * <p>The first start of a build records ({@code -XX:+RecordDynamicDumpInfo}); once it is ready,
 * {@code jcmd VM.cds dynamic_dump} writes its classes to a file of that start's own, which then becomes the archive in
 * one rename: a JVM elsewhere never maps a half-written file, and two first starts at once each write their own. The
 * archive's name holds a digest of the JVM and of the program's jars (names, sizes, times), so that after a rebuild
 * or with another JDK the next start records anew; a JVM that cannot use an archive ignores it. Without
 * {@code jcmd} (a JRE) or the JDK's own archive nothing is recorded ({@code jcmd} is then null);
 * {@code -Dmoe.startup-archives=false} turns archives off. {@code file} is present once a start wrote it.
 */
record StartupArchive(String program, Path file, Path jcmd) {
    /** The JVM's own lines about archives (classes it skips when dumping, an archive it cannot map) stay out of the logs. */
    private static final String QUIET = "-Xlog:cds*=off";
    private static final long DUMP_TIMEOUT_SECONDS = 120;
    /** {@code -Dmoe.startup-archives=false} starts every program without one, as before they existed. */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("moe.startup-archives", "true"));

    /**
     * The archive of {@code program}, whose classes come from the jars in or under {@code classpath} (a Quarkus app
     * directory, the broker's lib directory, the exit-with-parent jar), kept in {@code dir} (under the module's
     * {@code target/}, so {@code mvn clean} removes it).
     */
    static StartupArchive of(String program, List<Path> classpath, Path dir) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path file = dir.resolve(program + "-" + digest(classpath) + ".jsa");
        // A dynamic archive extends the JDK's own (base) one: a JVM without it (-Xshare:off, a JDK built without
        // one) refuses to start with -XX:+RecordDynamicDumpInfo. The children run this JVM's java, so this JVM's
        // "sharing" tells.
        boolean canRecord = Files.isExecutable(jcmd) && System.getProperty("java.vm.info", "").contains("sharing");
        return new StartupArchive(program, file, canRecord ? jcmd : null);
    }

    /**
     * One start of the program: the JVM options it runs with, and the archive it is to write once ready (null when it
     * maps one or runs without).
     */
    record Start(List<String> jvmOptions, StartupArchive toWrite) {
        boolean records() {
            return toWrite != null;
        }

        /** Once this start is ready: writes the archive if it recorded, and says how that went. */
        Optional<String> afterReady(ChildProcess ready) throws InterruptedException {
            return records() ? Optional.of(toWrite.writeFrom(ready)) : Optional.empty();
        }
    }

    Start nextStart() {
        if (!ENABLED) {
            return new Start(List.of(), null);
        }
        if (Files.isRegularFile(file)) {
            return new Start(List.of(QUIET, "-XX:SharedArchiveFile=" + file), null);
        }
        if (jcmd == null) {
            return new Start(List.of(), null);
        }
        return new Start(List.of(QUIET, "-XX:+RecordDynamicDumpInfo"), this);
    }

    /**
     * Writes the archive from {@code ready}, a recording start that is now ready, unless another start wrote it
     * meanwhile. Never fails the start: returns what happened, one line.
     */
    String writeFrom(ChildProcess ready) throws InterruptedException {
        if (Files.isRegularFile(file)) {
            return program + ": startup archive already written by another start";
        }
        Path partial = file.resolveSibling(file.getFileName() + "." + ready.pid() + ".partial");
        try {
            Files.createDirectories(file.getParent());
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(ready.pid()), "VM.cds", "dynamic_dump",
                    partial.toString()).redirectErrorStream(true).start();
            // its few lines fit the pipe: read once it exited, so that the timeout holds
            if (!dump.waitFor(DUMP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                return program + ": no startup archive (jcmd took over " + DUMP_TIMEOUT_SECONDS + " s)";
            }
            String output = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (dump.exitValue() != 0 || !Files.isRegularFile(partial) || Files.size(partial) == 0) {
                return program + ": no startup archive (jcmd VM.cds dynamic_dump: exit code " + dump.exitValue() + ", "
                        + output.lines().filter(line -> !line.startsWith("Picked up ")).collect(Collectors.joining(" "))
                        + ")";
            }
            long size = Files.size(partial);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            removeOlderArchives();
            return program + ": startup archive written (" + (size >> 20) + " MiB, " + file
                    + "): its later starts map it";
        } catch (IOException e) {
            return program + ": no startup archive (" + e.getMessage() + ")";
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a leftover under target/ that mvn clean removes
            }
        }
    }

    /** Archives of this program from earlier builds or JDKs: no start maps them again. */
    private void removeOlderArchives() throws IOException {
        try (Stream<Path> files = Files.list(file.getParent())) {
            for (Path old : files.filter(p -> p.getFileName().toString().startsWith(program + "-")
                    && p.getFileName().toString().endsWith(".jsa") && !p.equals(file)).toList()) {
                Files.deleteIfExists(old);
            }
        }
    }

    /** A digest of the JVM and of every jar in or under {@code classpath}: its name, size and modification time. */
    private static String digest(List<Path> classpath) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((System.getProperty("java.home") + "|" + System.getProperty("java.vm.version") + "\n").getBytes());
            for (Path entry : classpath) {
                try (Stream<Path> files = Files.walk(entry)) {
                    for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                        sha.update((jar + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis() + "\n")
                                .getBytes());
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class path " + classpath, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
