package io.moestream.testsupport;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A seeded generated model in a temporary directory, deleted on close. */
public record TempModel(Path dir, ModelSpec spec) implements AutoCloseable {

    public static TempModel generate(ModelSpec spec) throws IOException {
        return generate(spec, ModelGenerator.GateSkew.NONE);
    }

    /** A model whose gate rows are skewed as {@code skew} says (load-imbalance tests). */
    public static TempModel generate(ModelSpec spec, ModelGenerator.GateSkew skew) throws IOException {
        Path dir = Files.createTempDirectory("moe-test-model-");
        ModelGenerator.generate(dir, spec, ModelGenerator.ExpertLayout.PER_EXPERT, skew);
        return new TempModel(dir, spec);
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(TempModel::delete);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static void delete(Path path) {
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
