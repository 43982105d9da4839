package io.moestream.expert.worker;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process's kernel threads, shared by every consumer and expert: at most one kernel call per thread runs at once,
 * one thread per core by default ({@code moe.expert.concurrent-kernels}). Single-threaded sgemms that outnumber the
 * cores are time-sliced against each other and compete for the caches; a bounded pool runs each product to its end
 * on its core while the others wait their turn (BENCHMARKS.md, {@code ConcurrentKernelBenchmarks}).
 */
final class KernelPool implements AutoCloseable {
    private final ExecutorService threads;
    private final int size;

    KernelPool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("moe.expert.concurrent-kernels must be at least 1, got " + size);
        }
        this.size = size;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(size, task -> {
            Thread thread = new Thread(task, "expert-kernel-" + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
    }

    int size() {
        return size;
    }

    <T> Future<T> submit(Callable<T> work) {
        return threads.submit(work);
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
