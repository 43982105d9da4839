package io.moestream.tools.pipeline;

import io.moestream.core.tensor.Matrix;
import java.nio.file.Path;
import java.util.Random;

/** Inputs and places shared by the pipeline integration tests. */
final class PipelineFixtures {
    private PipelineFixtures() {
    }

    /** Seeded standard-normal token vectors {@code [rows, cols]}. */
    static Matrix randomTokens(int rows, int cols, long seed) {
        Random random = new Random(seed);
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Matrix(rows, cols, data);
    }

    /** Where a test keeps the service logs of its stack (the stack's own directory is deleted on close). */
    static Path logDir(String test) {
        return Path.of("target", "stack-logs", test);
    }
}
