package io.moestream.core.kernel;

/** The biases of an expert's projections (GPT-OSS): {@code gate, up: (d_ff,)}, {@code down: (d_model,)}. */
public record ExpertBiases(float[] gate, float[] up, float[] down) {
    public ExpertBiases {
        if (gate.length != up.length) {
            throw new IllegalArgumentException("gate bias has " + gate.length + " values, up bias " + up.length);
        }
    }
}
