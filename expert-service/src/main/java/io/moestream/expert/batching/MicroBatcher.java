package io.moestream.expert.batching;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.tensor.Matrix;
import io.moestream.expert.task.DecodedTask;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Merges tasks (of any chunks and requests) into kernel batches bounded by rows, and splits each batch's output
 * back per task, times the task's gate weights (or with the weights applied to the task's rows before the kernel,
 * for the tasks that say so: Llama-4). One token at a time is bound by memory bandwidth; stacking the
 * rows of many tasks into one matrix product is what makes an expert fast.
 */
public final class MicroBatcher {
    private final int maxBatchRows;
    private final IntConsumer batchRows;

    public MicroBatcher(int maxBatchRows) {
        this(maxBatchRows, rows -> { });
    }

    /** {@code batchRows} is told the row count of every kernel call, e.g. for a metric; it may be called concurrently. */
    public MicroBatcher(int maxBatchRows, IntConsumer batchRows) {
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("moe.expert.max-batch-rows must be at least 1, got " + maxBatchRows);
        }
        this.maxBatchRows = maxBatchRows;
        this.batchRows = batchRows;
    }

    public int maxBatchRows() {
        return maxBatchRows;
    }

    /**
     * Consecutive groups of {@code tasks}, in order, each with at most {@code maxBatchRows} rows in all; a task
     * that alone exceeds the bound forms a batch of its own.
     */
    public List<List<DecodedTask>> batches(List<DecodedTask> tasks) {
        List<List<DecodedTask>> batches = new ArrayList<>();
        List<DecodedTask> current = new ArrayList<>();
        int rows = 0;
        for (DecodedTask task : tasks) {
            if (!current.isEmpty() && rows + task.rowCount() > maxBatchRows) {
                batches.add(current);
                current = new ArrayList<>();
                rows = 0;
            }
            current.add(task);
            rows += task.rowCount();
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    /**
     * One kernel forward over the batch's rows stacked in task order; returns, per task and in the same order,
     * {@code gate_weight[i] * E(x[i])} for its rows, or {@code E(gate_weight[i] * x[i])} where the task's weights apply
     * to the input.
     */
    public List<Matrix> forward(List<DecodedTask> batch, ExpertKernel kernel) {
        // x: (Σ task rows, d_model), each task's rows scaled first where its weights apply to the input
        Matrix x = batch.size() == 1 ? input(batch.get(0)) : stack(batch);
        batchRows.accept(x.rows());
        // y: (Σ task rows, d_model)
        Matrix y = kernel.forward(x);
        List<Matrix> weighted = new ArrayList<>(batch.size());
        int offset = 0;
        for (DecodedTask task : batch) {
            Matrix part = batch.size() == 1 ? y : rows(y, offset, task.rowCount());
            weighted.add(task.weighting().weightedOutput(part, task.gateWeights()));
            offset += task.rowCount();
        }
        return weighted;
    }

    private static Matrix stack(List<DecodedTask> batch) {
        int cols = batch.get(0).rows().cols();
        int rows = batch.stream().mapToInt(DecodedTask::rowCount).sum();
        float[] data = new float[rows * cols];
        int offset = 0;
        for (DecodedTask task : batch) {
            float[] part = input(task).data();
            System.arraycopy(part, 0, data, offset, part.length);
            offset += part.length;
        }
        return new Matrix(rows, cols, data);
    }

    private static Matrix input(DecodedTask task) {
        return task.weighting().expertInput(task.rows(), task.gateWeights());
    }

    /** Rows {@code [from, from + count)} of {@code m} as a new matrix. */
    private static Matrix rows(Matrix m, int from, int count) {
        float[] data = new float[count * m.cols()];
        System.arraycopy(m.data(), from * m.cols(), data, 0, data.length);
        return new Matrix(count, m.cols(), data);
    }
}
