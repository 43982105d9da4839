package io.moestream.expert.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
            await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 2);
            release.countDown();
            for (Future<Integer> call : calls) {
                call.get(10, TimeUnit.SECONDS);
            }
        }
        // then no more than two ever ran at once
        assertThat(mostAtOnce.get()).isEqualTo(2);
    }
}
