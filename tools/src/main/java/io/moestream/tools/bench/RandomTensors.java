package io.moestream.tools.bench;

import io.moestream.core.tensor.Matrix;
import java.util.Random;

/** Seeded Gaussian matrices: the tokens the bench sends and the operands of the kernel measurements. */
public final class RandomTensors {
    private RandomTensors() {
    }

    public static Matrix gaussian(int rows, int cols, long seed) {
        Random random = new Random(seed);
        float[] data = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Matrix(rows, cols, data);
    }

    /** Rows {@code [from, from + count)} of {@code m} as a new matrix. */
    public static Matrix rows(Matrix m, int from, int count) {
        float[] data = new float[count * m.cols()];
        System.arraycopy(m.data(), from * m.cols(), data, 0, data.length);
        return new Matrix(count, m.cols(), data);
    }
}
