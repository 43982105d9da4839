package io.moestream.core.layer;

import io.moestream.core.tensor.Matrix;

/** A layer's output and how many rows each expert processed. */
public record LayerOutput(Matrix output, long[] tokensPerExpert) {
}
