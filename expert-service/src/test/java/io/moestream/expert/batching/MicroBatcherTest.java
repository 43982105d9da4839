package io.moestream.expert.batching;

import static io.moestream.core.testing.TestTensors.gaussian;
import static io.moestream.expert.testing.Tasks.decoded;
import static io.moestream.expert.testing.Tasks.weights;
import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.kernel.NaiveSwiGluExpert;
import io.moestream.core.kernel.OpenBlasSwiGluExpert;
import io.moestream.core.model.ExpertWeights;
import io.moestream.core.routing.GateWeighting;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.Tolerance;
import io.moestream.expert.task.DecodedTask;
import io.moestream.expert.testing.CountingKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
    private static final int D_MODEL = 8;
    private static final int D_FF = 12;
    private static final ExpertWeights WEIGHTS = new ExpertWeights(
            gaussian(D_FF, D_MODEL, 1L, 0.3), gaussian(D_MODEL, D_FF, 2L, 0.3), gaussian(D_FF, D_MODEL, 3L, 0.3));

    @Test
    void shouldGroupConsecutiveTasksWithoutExceedingTheRowBound() {
        // given
        MicroBatcher batcher = new MicroBatcher(6);

        // when
        List<List<DecodedTask>> batches = batcher.batches(tasksWithRows(3, 4, 2, 5, 1));

        // then
        assertThat(batches).extracting(MicroBatcherTest::rowsOf)
                .containsExactly(List.of(3), List.of(4, 2), List.of(5, 1));
    }

    @Test
    void shouldRunATaskLargerThanTheBoundInABatchOfItsOwn() {
        List<List<DecodedTask>> batches = new MicroBatcher(4).batches(tasksWithRows(2, 9, 1));

        assertThat(batches).extracting(MicroBatcherTest::rowsOf).containsExactly(List.of(2), List.of(9), List.of(1));
    }

    @Test
    void shouldKeepEveryTaskInOrderAndEveryMergedBatchWithinTheBound() {
        SplittableRandom random = new SplittableRandom(11L);
        for (int trial = 0; trial < 50; trial++) {
            // given
            int bound = random.nextInt(1, 40);
            int[] rows = IntStream.range(0, random.nextInt(1, 30)).map(i -> random.nextInt(1, 50)).toArray();
            List<DecodedTask> tasks = tasksWithRows(rows);

            // when
            List<List<DecodedTask>> batches = new MicroBatcher(bound).batches(tasks);

            // then
            assertThat(batches.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(tasks);
            for (List<DecodedTask> batch : batches) {
                int sum = batch.stream().mapToInt(DecodedTask::rowCount).sum();
                assertThat(batch.size() == 1 || sum <= bound).as("batch %s within %d rows", rowsOf(batch), bound).isTrue();
            }
        }
    }

    @Test
    void shouldSplitOneForwardBackToEachTaskTimesItsGateWeights() {
        // given
        List<DecodedTask> batch = tasksWithRows(3, 1, 4);
        ExpertKernel reference = new NaiveSwiGluExpert(WEIGHTS);
        CountingKernel kernel = new CountingKernel(new NaiveSwiGluExpert(WEIGHTS));

        // when
        List<Matrix> weighted = new MicroBatcher(16).forward(batch, kernel);

        // then
        assertThat(kernel.calls()).containsExactly(8);
        assertThat(weighted).hasSize(3);
        for (int i = 0; i < batch.size(); i++) {
            DecodedTask task = batch.get(i);
            Matrix expected = reference.forward(task.rows()).scaleRows(task.gateWeights());
            assertThat(Tolerance.maxRelativeError(weighted.get(i), expected)).as("task %d", i).isLessThan(1e-6);
        }
    }

    @Test
    void shouldMatchTheOpenBlasKernelRunTaskByTask() {
        // given
        List<DecodedTask> batch = tasksWithRows(5, 2, 7, 1);
        try (ExpertKernel kernel = new OpenBlasSwiGluExpert(WEIGHTS)) {
            // when
            List<Matrix> weighted = new MicroBatcher(64).forward(batch, kernel);

            // then
            for (int i = 0; i < batch.size(); i++) {
                DecodedTask task = batch.get(i);
                Matrix expected = kernel.forward(task.rows()).scaleRows(task.gateWeights());
                assertThat(Tolerance.maxRelativeError(weighted.get(i), expected)).as("task %d", i).isLessThan(1e-5);
            }
        }
    }

    @Test
    void shouldApplyTheWeightsOfASingleTaskBatch() {
        DecodedTask task = tasksWithRows(3).get(0);
        ExpertKernel kernel = new NaiveSwiGluExpert(WEIGHTS);

        Matrix weighted = new MicroBatcher(2).forward(List.of(task), kernel).get(0);

        Matrix unweighted = kernel.forward(task.rows());
        for (int row = 0; row < 3; row++) {
            assertThat(weighted.get(row, 0)).isEqualTo(unweighted.get(row, 0) * task.gateWeights()[row]);
        }
    }

    @Test
    void shouldScaleTheRowsOfInputWeightedTasksBeforeTheKernelAndLeaveTheirOutputUnweighted() {
        // given a batch mixing a task whose weights apply to its input (Llama-4) with one whose apply to its output
        DecodedTask onInput = decoded("in", gaussian(3, D_MODEL, 200L), weights(3, 7), GateWeighting.INPUT);
        DecodedTask onOutput = decoded("out", gaussian(2, D_MODEL, 201L), weights(2, 8), GateWeighting.OUTPUT);
        ExpertKernel reference = new NaiveSwiGluExpert(WEIGHTS);
        CountingKernel kernel = new CountingKernel(new NaiveSwiGluExpert(WEIGHTS));

        // when both run in one kernel call
        List<Matrix> results = new MicroBatcher(16).forward(List.of(onInput, onOutput), kernel);

        // then E(w · x) for the first, w · E(x) for the second
        assertThat(kernel.calls()).containsExactly(5);
        assertThat(Tolerance.maxRelativeError(results.get(0),
                reference.forward(onInput.rows().scaleRows(onInput.gateWeights())))).isLessThan(1e-6);
        assertThat(Tolerance.maxRelativeError(results.get(1),
                reference.forward(onOutput.rows()).scaleRows(onOutput.gateWeights()))).isLessThan(1e-6);
        assertThat(Tolerance.maxAbsDiff(results.get(0),
                reference.forward(onInput.rows()).scaleRows(onInput.gateWeights()))).isGreaterThan(1e-4);
    }

    private static List<DecodedTask> tasksWithRows(int... rows) {
        List<DecodedTask> tasks = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            tasks.add(decoded("req-" + i, gaussian(rows[i], D_MODEL, 100L + i), weights(rows[i], i)));
        }
        return tasks;
    }

    private static List<Integer> rowsOf(List<DecodedTask> batch) {
        return batch.stream().map(DecodedTask::rowCount).toList();
    }
}
