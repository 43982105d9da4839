package io.moestream.core.kernel;

import io.moestream.proto.v1.DType;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * The precision experts compute in ({@code --compute-dtype}, {@code moe.expert.compute-dtype}): {@code auto}
 * computes in the checkpoint's dtype (a BF16 checkpoint in BF16 where the CPU has BF16 units, anything else in
 * FP32); {@code fp32} always runs the FP32 kernel; {@code bf16} asks for BF16 whatever the checkpoint holds.
 */
public enum ComputeDtype {
    AUTO, FP32, BF16;

    private static final Logger LOG = Logger.getLogger(ComputeDtype.class);

    /** {@code auto}, {@code fp32} or {@code bf16} (any case); anything else is an error naming the choices. */
    public static ComputeDtype parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("compute dtype must be auto, fp32 or bf16, got '" + text + "'", e);
        }
    }

    /**
     * The backend for a checkpoint whose expert weights are stored as {@code checkpoint}. BF16 asked for (or implied by
     * {@code auto}) on a CPU without BF16 units falls back to FP32 with one warning naming why.
     */
    public KernelBackend select(DType checkpoint) {
        return select(checkpoint, OneDnn.bf16Support());
    }

    KernelBackend select(DType checkpoint, OneDnn.Bf16Support support) {
        boolean wantsBf16 = this == BF16 || (this == AUTO && checkpoint == DType.BF16);
        if (!wantsBf16) {
            return OpenBlasFp32Backend.INSTANCE;
        }
        if (!support.available()) {
            LOG.warnf("compute dtype %s with a %s checkpoint asks for BF16, but this CPU has no BF16 units (%s): "
                    + "computing in FP32 on %s", name().toLowerCase(Locale.ROOT), checkpoint, support.detail(),
                    OpenBlasFp32Backend.NAME);
            return OpenBlasFp32Backend.INSTANCE;
        }
        return new OneDnnBf16Backend(support.detail());
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
