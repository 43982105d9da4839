package io.moestream.expert.testing;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/** Wraps a kernel and records the row count of every forward call, to check how often the batcher calls it. */
public final class CountingKernel implements ExpertKernel {
    private final ExpertKernel delegate;
    private final List<Integer> calls = new ArrayList<>();

    public CountingKernel(ExpertKernel delegate) {
        this.delegate = delegate;
    }

    /** Rows of each forward call, in call order. */
    public List<Integer> calls() {
        return calls;
    }

    @Override
    public Matrix forward(Matrix x) {
        calls.add(x.rows());
        return delegate.forward(x);
    }

    @Override
    public int dModel() {
        return delegate.dModel();
    }

    @Override
    public int dFf() {
        return delegate.dFf();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
