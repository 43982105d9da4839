package io.moestream.gateway.oip;

import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.Tensor;

/**
 * A request's checked {@code hidden_states}: the values as FP32, and the tensor as it travels to the pipeline (raw
 * little-endian bytes in the client's datatype), from which chunks are cut without copying.
 */
record HiddenStates(Matrix values, Tensor wire) {

    int rows() {
        return values.rows();
    }

    /** Rows {@code [from, to)} as a tensor of the same datatype, sharing the request's bytes. */
    Tensor rows(int from, int to) {
        int rowBytes = wire.getData().size() / values.rows();
        return wire.toBuilder()
                .setRows(to - from)
                .setData(wire.getData().substring(from * rowBytes, to * rowBytes))
                .build();
    }
}
