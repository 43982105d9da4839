package io.moestream.expert.task;

import io.moestream.core.routing.GateWeighting;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;

/**
 * A validated expert task: {@code rows} is {@code [n, d_model]}, and {@code rowIndex} and {@code gateWeights}
 * have one entry per row. {@code replyTo} is the gateway's reply topic from the record header; {@code wireDtype} the
 * element type the rows came in, which the result goes back in; {@code weighting} where the gate weights apply.
 */
public record DecodedTask(String requestId, long seq, int layer, int expert, int[] rowIndex, float[] gateWeights,
                          Matrix rows, String replyTo, DType wireDtype, GateWeighting weighting) {

    /** Number of rows the kernel computes for this task. */
    public int rowCount() {
        return rows.rows();
    }
}
