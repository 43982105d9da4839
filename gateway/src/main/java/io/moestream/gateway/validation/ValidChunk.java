package io.moestream.gateway.validation;

import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;

/** A chunk that passed every check: its rows decoded to FP32, and the dtype its answer must be sent in. */
public record ValidChunk(String requestId, long seq, int layer, Matrix hidden, DType dtype) {
}
