package io.moestream.core.routing;

import io.moestream.core.tensor.Matrix;

/**
 * Where an expert's gate weights apply. Every family weights the expert's output, {@code w · E(x)}, except Llama-4,
 * whose router scores scale the expert's input, {@code E(w · x)} ({@code Llama4TextMoe}: {@code routed_in =
 * hidden_states * router_scores}); the expert's output is then summed unweighted.
 */
public enum GateWeighting {
    /** {@code w · E(x)}. */
    OUTPUT,
    /** {@code E(w · x)}. */
    INPUT;

    /** The rows the expert computes on: {@code x} scaled row by row when the weights apply to the input. */
    public Matrix expertInput(Matrix x, float[] weights) {
        return this == INPUT ? x.scaleRows(weights) : x;
    }

    /** The expert's contribution to the layer: {@code y} scaled row by row when the weights apply to the output. */
    public Matrix weightedOutput(Matrix y, float[] weights) {
        return this == OUTPUT ? y.scaleRows(weights) : y;
    }
}
