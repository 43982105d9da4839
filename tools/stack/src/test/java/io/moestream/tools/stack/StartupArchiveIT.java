package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StartupArchive} on real JVMs: the first start records and writes the archive, the next one maps it. */
class StartupArchiveIT {

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheArchiveFromTheFirstStartAndMapItInTheNext() throws Exception {
        Assumptions.assumeTrue(StartupArchive.ENABLED && Files.isExecutable(Path.of(System.getProperty("java.home"),
                "bin", "jcmd")) && System.getProperty("java.vm.info").contains("sharing"),
                "startup archives on, in a JDK with jcmd and its own archive");
        Path jar = programJar();
        StartupArchive archive = StartupArchive.of("program", List.of(jar), dir.resolve("archives"));

        // given a first start, which records
        StartupArchive.Start first = archive.nextStart();
        assertThat(first.records()).isTrue();
        Path log = dir.resolve("first.log");
        try (ChildProcess program = ChildProcess.startJava("program", command(first.jvmOptions(), jar, List.of()), log)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("ready"));

            // when it is ready, the archive is written from it
            assertThat(archive.writeFrom(program)).contains("program: startup archive written");
            assertThat(program.isAlive()).as("the program runs on after the dump").isTrue();
        }
        assertThat(archive.file()).isRegularFile();
        assertThat(Files.list(dir.resolve("archives"))).as("no partial file left").containsExactly(archive.file());

        // then the next start maps it: -Xshare:on makes a JVM that cannot map its archive fail at start
        StartupArchive.Start next = archive.nextStart();
        assertThat(next.records()).isFalse();
        assertThat(next.jvmOptions()).contains("-XX:SharedArchiveFile=" + archive.file());
        List<String> mapped = new ArrayList<>(List.of("-Xshare:on", "-Xlog:class+load=info"));
        mapped.addAll(next.jvmOptions());
        Path nextLog = dir.resolve("next.log");
        try (ChildProcess program = ChildProcess.startJava("program", command(mapped, jar, List.of("--exit")), nextLog)) {
            assertThat(program.awaitExit(Duration.ofSeconds(30))).as(Files.readString(nextLog)).isZero();
        }
        assertThat(Files.readString(nextLog))
                .contains(ArchivedProgram.class.getName() + " source: shared objects file (top)");
    }

    @Test
    void shouldNameANewArchiveAfterAJarOfTheClassPathChanged() throws Exception {
        Path jars = Files.createDirectories(dir.resolve("lib"));
        Path jar = Files.writeString(jars.resolve("a.jar"), "a jar");
        Path before = StartupArchive.of("program", List.of(jars), dir).file();

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));

        assertThat(StartupArchive.of("program", List.of(jars), dir).file()).isNotEqualTo(before);
        assertThat(StartupArchive.of("program", List.of(jars), dir).file().getFileName().toString())
                .startsWith("program-").endsWith(".jsa");
    }

    private static List<String> command(List<String> jvmOptions, Path jar, List<String> args) {
        List<String> command = new ArrayList<>(jvmOptions);
        command.addAll(List.of("-cp", jar.toString(), ArchivedProgram.class.getName()));
        command.addAll(args);
        return command;
    }

    /** The program in a jar of its own: class-data sharing takes classes from jars only, not from directories. */
    private Path programJar() throws Exception {
        String entry = ArchivedProgram.class.getName().replace('.', '/') + ".class";
        Path jar = dir.resolve("program.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             InputStream in = ArchivedProgram.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
        }
        return jar;
    }
}
