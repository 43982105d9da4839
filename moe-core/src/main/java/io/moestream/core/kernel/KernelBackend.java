package io.moestream.core.kernel;

import io.moestream.core.model.ExpertWeights;

/**
 * Where and in which precision experts compute: loads an expert's weights into a kernel of this backend. The CPU
 * backends are {@link OpenBlasFp32Backend} and {@link OneDnnBf16Backend}; {@link ComputeDtype#select} picks one.
 */
public interface KernelBackend {

    /** The backend's name as logs, metrics and the bench show it, e.g. {@code onednn-bf16}. */
    String name();

    /** The library implementation its products run on, e.g. {@code brg:avx512_core_amx}. */
    String implementation();

    /** A kernel holding {@code weights} in this backend's form (off-heap, converted once). */
    ExpertKernel load(ExpertWeights weights);
}
