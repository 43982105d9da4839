package io.moestream.core.tensor;

import java.util.Arrays;
import java.util.Random;

/**
 * A dense row-major float32 matrix {@code [rows, cols]} on the heap: the unit that moves between the
 * codecs, the routing step and the kernels. Row {@code r} occupies {@code data[r*cols .. (r+1)*cols)}.
 */
public record Matrix(int rows, int cols, float[] data) {

    public Matrix {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape [" + rows + ", " + cols + "]");
        }
        if (data.length != (long) rows * cols) {
            throw new IllegalArgumentException(
                    "data has " + data.length + " floats, shape [" + rows + ", " + cols + "] needs " + (long) rows * cols);
        }
    }

    public static Matrix zeros(int rows, int cols) {
        return new Matrix(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    /** Seeded standard-normal values: the tokens of tests, the demo and the bench. */
    public static Matrix gaussian(int rows, int cols, long seed) {
        return gaussian(rows, cols, new Random(seed), 1.0);
    }

    /** The next {@code rows * cols} Gaussians of {@code random} times {@code scale}, row by row. */
    public static Matrix gaussian(int rows, int cols, Random random, double scale) {
        float[] data = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * scale);
        }
        return new Matrix(rows, cols, data);
    }

    public float get(int row, int col) {
        return data[row * cols + col];
    }

    /** Rows {@code [from, from + count)} as a new matrix {@code [count, cols]}. */
    public Matrix rowRange(int from, int count) {
        float[] out = new float[Math.multiplyExact(count, cols)];
        System.arraycopy(data, from * cols, out, 0, out.length);
        return new Matrix(count, cols, out);
    }

    /** The rows at {@code rowIndex}, in that order, as a new matrix {@code [rowIndex.length, cols]}. */
    public Matrix gatherRows(int[] rowIndex) {
        float[] out = new float[rowIndex.length * cols];
        for (int i = 0; i < rowIndex.length; i++) {
            System.arraycopy(data, rowIndex[i] * cols, out, i * cols, cols);
        }
        return new Matrix(rowIndex.length, cols, out);
    }

    /** A new matrix whose row {@code i} is this matrix's row {@code i} times {@code weights[i]}. */
    public Matrix scaleRows(float[] weights) {
        if (weights.length != rows) {
            throw new IllegalArgumentException(weights.length + " row weights for " + rows + " rows");
        }
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            float w = weights[r];
            for (int c = r * cols, end = c + cols; c < end; c++) {
                out[c] = data[c] * w;
            }
        }
        return new Matrix(rows, cols, out);
    }

    /** {@code [cols, rows]}: this matrix transposed, as a new matrix. */
    public Matrix transpose() {
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return new Matrix(cols, rows, out);
    }

    /** Index of the first NaN or infinite element, or -1 when every element is finite. */
    public int firstNonFinite() {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Matrix[" + rows + ", " + cols + "]";
    }
}
