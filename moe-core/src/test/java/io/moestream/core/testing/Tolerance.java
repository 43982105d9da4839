package io.moestream.core.testing;

import io.moestream.core.tensor.Matrix;

/** Error measures for comparing a fast path against a reference. */
public final class Tolerance {
    private Tolerance() {
    }

    /** {@code max |actual - expected|}; the shapes must match. */
    public static double maxAbsDiff(Matrix actual, Matrix expected) {
        requireSameShape(actual, expected);
        double max = 0;
        for (int i = 0; i < actual.data().length; i++) {
            double diff = Math.abs((double) actual.data()[i] - expected.data()[i]);
            if (Double.isNaN(diff)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, diff);
        }
        return max;
    }

    /** {@code max |actual - expected| / max(1, max |expected|)}: relative for large outputs, absolute for small. */
    public static double maxRelativeError(Matrix actual, Matrix expected) {
        return maxAbsDiff(actual, expected) / Math.max(1.0, maxAbs(expected));
    }

    public static double maxAbs(Matrix m) {
        double max = 0;
        for (float v : m.data()) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static void requireSameShape(Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new AssertionError("shapes differ: " + a + " vs " + b);
        }
    }
}
