package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;

/**
 * BF16 experts on oneDNN ({@link OneDnnBf16Expert}), for a CPU with AMX or AVX512-BF16: obtain it through
 * {@link ComputeDtype#select}, which checks {@link OneDnn#bf16Support()}.
 */
public final class OneDnnBf16Backend implements KernelBackend {
    public static final String NAME = "onednn-bf16";

    private final String implementation;

    OneDnnBf16Backend(String implementation) {
        this.implementation = implementation;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String implementation() {
        return implementation;
    }

    @Override
    public ExpertKernel load(ExpertWeights weights) {
        return new OneDnnBf16Expert(weights);
    }

    @Override
    public String toString() {
        return NAME + " (" + implementation + ")";
    }
}
