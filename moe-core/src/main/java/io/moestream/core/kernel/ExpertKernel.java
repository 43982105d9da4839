package io.moestream.core.kernel;

import io.moestream.core.tensor.Matrix;

/** One expert's FFN. An instance is used by one thread at a time. */
public interface ExpertKernel extends AutoCloseable {

    /** {@code [rows, d_model] -> [rows, d_model]}. */
    Matrix forward(Matrix x);

    int dModel();

    int dFf();

    @Override
    void close();
}
