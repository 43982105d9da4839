package io.moestream.core.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits the element-wise work of a batch (the SwiGLU activation) over as many threads as OpenBLAS uses for the
 * products, so that it runs on the same cores instead of one: with two BLAS threads, a single-threaded activation
 * would leave one core idle for a third of the kernel's time. With one BLAS thread (a process that runs one kernel
 * per thread, such as the expert service) it runs on the calling thread.
 */
final class ParallelRows {
    /** Below this many elements a batch is not worth handing to another thread. */
    private static final long MIN_PARALLEL_ELEMENTS = 1 << 16;

    /** The work on rows {@code [from, to)}. */
    interface RowRange {
        void run(int from, int to);
    }

    private ParallelRows() {
    }

    static void forRows(int rows, int elementsPerRow, RowRange body) {
        int parts = Math.min(Blas.threads(), rows);
        if (parts <= 1 || (long) rows * elementsPerRow < MIN_PARALLEL_ELEMENTS) {
            body.run(0, rows);
            return;
        }
        List<Future<?>> others = new ArrayList<>(parts - 1);
        for (int part = 1; part < parts; part++) {
            int from = rows * part / parts;
            int to = rows * (part + 1) / parts;
            others.add(Helpers.POOL.submit(() -> body.run(from, to)));
        }
        body.run(0, rows / parts);
        for (Future<?> other : others) {
            await(other);
        }
    }

    private static void await(Future<?> part) {
        try {
            part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the activation ran on another thread", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the activation failed on another thread", e.getCause());
        }
    }

    /** Created on first use: a process with one BLAS thread never starts it. */
    private static final class Helpers {
        static final ExecutorService POOL = Executors.newFixedThreadPool(Blas.threads() - 1, task -> {
            Thread thread = new Thread(task, "moe-kernel-activation");
            thread.setDaemon(true);
            return thread;
        });
    }
}
