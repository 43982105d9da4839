package io.moestream.expert.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KernelPoolTest {

    @Test
    void shouldRunAtMostItsSizeOfCallsAtOnce() throws Exception {
        // given a pool of 2 and 6 calls that each wait until released
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        List<Future<Integer>> calls = new ArrayList<>();
        try (KernelPool pool = new KernelPool(2)) {
            for (int i = 0; i < 6; i++) {
                calls.add(pool.submit(() -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    release.await();
                    running.decrementAndGet();
                    return 1;
                }));
            }
            // when two are running and the others queue behind them
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (running.get() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            release.countDown();
            for (Future<Integer> call : calls) {
                call.get(10, TimeUnit.SECONDS);
            }
        }
        // then no more than two ever ran at once
        assertThat(mostAtOnce.get()).isEqualTo(2);
    }
}
