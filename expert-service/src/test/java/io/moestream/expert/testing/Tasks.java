package io.moestream.expert.testing;

import io.moestream.core.routing.GateWeighting;
import io.moestream.core.tensor.GateWeights;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.expert.task.DecodedTask;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertTask;
import java.util.stream.IntStream;

/** Builds expert tasks as the router writes them, and decoded tasks as the batcher takes them. */
public final class Tasks {
    private Tasks() {
    }

    /** A task for rows {@code 0..rows-1} of a chunk, with the given gate weights. */
    public static ExpertTask.Builder task(String requestId, int layer, int expert, Matrix rows, float[] weights) {
        ExpertTask.Builder task = ExpertTask.newBuilder()
                .setRequestId(requestId)
                .setSeq(1)
                .setLayer(layer)
                .setExpert(expert)
                .setGateWeights(GateWeights.encode(weights))
                .setRows(TensorMessages.toProto(rows, DType.FP32));
        IntStream.range(0, rows.rows()).forEach(task::addRowIndex);
        return task;
    }

    public static DecodedTask decoded(String requestId, Matrix rows, float[] weights) {
        return decoded(requestId, rows, weights, GateWeighting.OUTPUT);
    }

    public static DecodedTask decoded(String requestId, Matrix rows, float[] weights, GateWeighting weighting) {
        return new DecodedTask(requestId, 0, 0, 0, IntStream.range(0, rows.rows()).toArray(), weights, rows, "moe.replies.t",
                DType.FP32, weighting);
    }

    /** {@code n} gate weights in (0, 1), different per seed. */
    public static float[] weights(int n, long seed) {
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            weights[i] = (float) ((i + 1 + seed % 7) / (n + 8.0));
        }
        return weights;
    }
}
