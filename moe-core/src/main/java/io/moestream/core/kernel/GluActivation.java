package io.moestream.core.kernel;

/**
 * The gated activation {@code g(gate, up)} between an expert's two projections:
 * <ul>
 *   <li>SiLU-GLU, {@code silu(gate) · up} (Mixtral, Qwen, OLMoE, DeepSeek, Llama-4);</li>
 *   <li>GPT-OSS's clamped SwiGLU: {@code gate' = min(gate, limit)}, {@code up' = clamp(up, -limit, limit)},
 *       {@code g = (up' + 1) · gate' · sigmoid(alpha · gate')} ({@code GptOssExperts}: alpha 1.702, limit from
 *       {@code swiglu_limit}, 7.0 by default).</li>
 * </ul>
 */
public record GluActivation(boolean clamped, float alpha, float limit) {
    /** {@code silu(gate) · up}. */
    public static final GluActivation SILU_GLU = new GluActivation(false, 1f, Float.POSITIVE_INFINITY);
    /** GPT-OSS's alpha, fixed in its expert module (not a config key). */
    public static final float GPT_OSS_ALPHA = 1.702f;

    public GluActivation {
        if (!(alpha > 0) || !(limit > 0)) {
            throw new IllegalArgumentException("activation alpha and limit must be positive, got " + alpha + " and " + limit);
        }
    }

    /** GPT-OSS's activation with the config's {@code swiglu_limit}. */
    public static GluActivation clampedSwiGlu(float limit) {
        return new GluActivation(true, GPT_OSS_ALPHA, limit);
    }

    /** {@code g(gate, up)} in double: the naive kernel's form. */
    double apply(double gate, double up) {
        if (!clamped) {
            return SwiGlu.silu(gate) * up;
        }
        double g = Math.min(gate, limit);
        double u = Math.max(-limit, Math.min(up, limit));
        return (u + 1) * g / (1.0 + Math.exp(-alpha * g));
    }
}
