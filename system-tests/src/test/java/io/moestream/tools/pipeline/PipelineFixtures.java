package io.moestream.tools.pipeline;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.stack.LocalStack;
import java.io.IOException;
import java.nio.file.Path;

/** Inputs and places shared by the pipeline integration tests. */
final class PipelineFixtures {
    private PipelineFixtures() {
    }

    /**
     * The reference layer's output computed chunk by chunk, as the router scores the chunks. Over many tokens a near-tie
     * between two experts can fall the other way when the gate product spans another number of rows: a difference of
     * rounding, not of the pipeline.
     */
    static Matrix referenceByChunks(ReferenceMoeLayer reference, Matrix x, int chunkRows) {
        int cols = x.cols();
        float[] expected = new float[x.data().length];
        for (int from = 0; from < x.rows(); from += chunkRows) {
            int rows = Math.min(chunkRows, x.rows() - from);
            float[] chunk = new float[rows * cols];
            System.arraycopy(x.data(), from * cols, chunk, 0, chunk.length);
            float[] out = reference.forward(new Matrix(rows, cols, chunk)).data();
            System.arraycopy(out, 0, expected, from * cols, out.length);
        }
        return new Matrix(x.rows(), cols, expected);
    }

    /**
     * Ends a test class's own stack: keeps its logs under {@link #logDir}, stops it, then closes the reference and the
     * model and deletes the generated model's directory; each part may be null (a set-up that failed half way).
     */
    static void stop(String test, LocalStack stack, ReferenceMoeLayer reference, MoeModel model, Path modelDir)
            throws IOException {
        try {
            if (stack != null) {
                stack.copyLogsTo(logDir(test));
                stack.close();
            }
        } finally {
            if (reference != null) {
                reference.close();
            }
            if (model != null) {
                model.close();
            }
            LocalStack.deleteRecursively(modelDir);
        }
    }

    /** Where a test keeps the service logs of its stack (the stack's own directory is deleted on close). */
    static Path logDir(String test) {
        return Path.of("target", "stack-logs", test);
    }
}
