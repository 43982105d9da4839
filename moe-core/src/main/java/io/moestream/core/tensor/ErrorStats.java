package io.moestream.core.tensor;

/**
 * How far a computed matrix is from a reference: the largest absolute difference, and that difference
 * relative to the reference's largest magnitude (a norm-wise relative error that stays meaningful where
 * single reference elements are near zero).
 */
public record ErrorStats(double maxAbsError, double maxRelError) {

    public static ErrorStats compare(Matrix actual, Matrix expected) {
        if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
            throw new IllegalArgumentException("shape " + actual + " differs from the reference's " + expected);
        }
        double maxAbs = 0;
        double maxRef = 0;
        float[] a = actual.data();
        float[] e = expected.data();
        for (int i = 0; i < a.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs((double) a[i] - e[i]));
            maxRef = Math.max(maxRef, Math.abs(e[i]));
        }
        return new ErrorStats(maxAbs, maxRef == 0 ? maxAbs : maxAbs / maxRef);
    }
}
