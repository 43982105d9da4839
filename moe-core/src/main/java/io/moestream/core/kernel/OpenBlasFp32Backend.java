package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;

/** FP32 experts on OpenBLAS sgemm ({@link OpenBlasSwiGluExpert}): every CPU, every checkpoint. */
public final class OpenBlasFp32Backend implements KernelBackend {
    public static final String NAME = "openblas-fp32";
    public static final OpenBlasFp32Backend INSTANCE = new OpenBlasFp32Backend();

    private OpenBlasFp32Backend() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String implementation() {
        return "openblas sgemm";
    }

    @Override
    public ExpertKernel load(ExpertWeights weights) {
        return new OpenBlasSwiGluExpert(weights);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
