package io.moestream.expert.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoreLimitedKernelTest {

    @Test
    void admitsAsManyCallsAsPermitsAndTheRestInTurn() throws Exception {
        BlockingKernel blocking = new BlockingKernel();
        Semaphore cores = new Semaphore(2);
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // one kernel per expert, sharing the process's permits
            ExpertKernel kernel = new CoreLimitedKernel(blocking, cores);
            Thread caller = new Thread(() -> kernel.forward(Matrix.zeros(1, 4)));
            callers.add(caller);
            caller.start();
        }

        awaitInside(blocking, 2);
        Thread.sleep(200);
        assertThat(blocking.inside.get()).as("calls inside the kernel while 2 hold the permits").isEqualTo(2);

        blocking.release.countDown();
        for (Thread caller : callers) {
            caller.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(caller.isAlive()).as("a caller still waiting after the kernel was released").isFalse();
        }
        assertThat(blocking.calls.get()).isEqualTo(4);
        assertThat(blocking.mostInside.get()).isEqualTo(2);
        assertThat(cores.availablePermits()).isEqualTo(2);
    }

    @Test
    void givesThePermitBackWhenTheKernelFails() {
        Semaphore cores = new Semaphore(1);
        ExpertKernel failing = new CoreLimitedKernel(new BlockingKernel() {
            @Override
            public Matrix forward(Matrix x) {
                throw new IllegalStateException("kernel failed");
            }
        }, cores);

        try {
            failing.forward(Matrix.zeros(1, 4));
        } catch (IllegalStateException expected) {
            // the worker reports it; the permit must not leak with it
        }

        assertThat(cores.availablePermits()).isEqualTo(1);
    }

    private static void awaitInside(BlockingKernel kernel, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (kernel.inside.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(kernel.inside.get()).as("calls that entered the kernel").isEqualTo(count);
    }

    /** Holds every caller inside forward until released, counting how many are inside at once. */
    private static class BlockingKernel implements ExpertKernel {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger mostInside = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Matrix forward(Matrix x) {
            calls.incrementAndGet();
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
            }
            return x;
        }

        @Override
        public int dModel() {
            return 4;
        }

        @Override
        public int dFf() {
            return 8;
        }

        @Override
        public void close() {
        }
    }
}
