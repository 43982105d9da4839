package io.moestream.expert.worker;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.tensor.Matrix;
import java.util.concurrent.Semaphore;

/**
 * An expert kernel that runs only while it holds one of the process's core permits. A process serving many experts
 * runs one thread per expert; without a bound, eight single-threaded sgemms on two cores are time-sliced against
 * each other and compete for the caches. With one permit per core, each product runs to its end on its core while
 * the others wait their turn: the same work with fewer switches, a few percent faster in JMH
 * ({@code ConcurrentKernelBenchmarks}, BENCHMARKS.md).
 */
final class CoreLimitedKernel implements ExpertKernel {
    private final ExpertKernel kernel;
    private final Semaphore cores;

    CoreLimitedKernel(ExpertKernel kernel, Semaphore cores) {
        this.kernel = kernel;
        this.cores = cores;
    }

    @Override
    public Matrix forward(Matrix x) {
        // uninterruptible: a stopping worker finishes its window (see ExpertWorker), so it waits its turn too
        cores.acquireUninterruptibly();
        try {
            return kernel.forward(x);
        } finally {
            cores.release();
        }
    }

    @Override
    public int dModel() {
        return kernel.dModel();
    }

    @Override
    public int dFf() {
        return kernel.dFf();
    }

    @Override
    public void close() {
        kernel.close();
    }
}
