package io.moestream.core.testing;

import io.moestream.core.tensor.Matrix;
import java.util.SplittableRandom;

/**
 * Seeded random matrices for the unit tests of moe-core and the services: the same seed always gives the same matrix.
 * Not {@link Matrix#gaussian}, which draws {@link java.util.Random#nextGaussian} (the generated models, the
 * integration tests and the bench use that one): these draw Box-Muller on a {@link SplittableRandom}, so the two give
 * other numbers for the same seed. Some users check properties of these very values (that the clamps of
 * {@code GatedExpertVariantsTest} act on its grid, for one), so delegating to {@code Matrix.gaussian} would change
 * the data of some 25 tests; {@link #uniform} has no twin.
 */
public final class TestTensors {
    private TestTensors() {
    }

    /** Standard Gaussian entries (Box-Muller on a {@link SplittableRandom}, stable across JDKs). */
    public static Matrix gaussian(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            data[i] = (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2));
        }
        return new Matrix(rows, cols, data);
    }

    /** Gaussian entries times {@code scale}. */
    public static Matrix gaussian(int rows, int cols, long seed, double scale) {
        Matrix m = gaussian(rows, cols, seed);
        float[] data = m.data();
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (data[i] * scale);
        }
        return m;
    }

    /** Uniform entries in {@code [-bound, bound)}. */
    public static Matrix uniform(int rows, int cols, long seed, float bound) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextDouble(-bound, bound);
        }
        return new Matrix(rows, cols, data);
    }
}
