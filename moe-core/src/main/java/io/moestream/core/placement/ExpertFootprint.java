package io.moestream.core.placement;

import io.moestream.core.model.MoeConfig;
import java.util.Collection;

/** What one expert's weights take in memory as the kernels hold them (FP32: gate, up and down projections). */
public final class ExpertFootprint {
    private static final long MIB = 1 << 20;

    private ExpertFootprint() {
    }

    /** Bytes of expert {@code id}'s three projections: {@code 3 · d_model · d_ff · 4}. */
    public static long bytes(MoeConfig config, ExpertId id) {
        int dFf = id.expert() >= config.numExperts() ? config.sharedExpertDFf() : config.dFf();
        return 3L * config.dModel() * dFf * Float.BYTES;
    }

    public static long bytes(MoeConfig config, Collection<ExpertId> experts) {
        long total = 0;
        for (ExpertId id : experts) {
            total += bytes(config, id);
        }
        return total;
    }

    /** {@code bytes} in MiB, rounded up. */
    public static long mib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }
}
