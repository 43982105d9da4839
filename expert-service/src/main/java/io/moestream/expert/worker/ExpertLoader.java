package io.moestream.expert.worker;

import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.model.MoeModel;
import io.moestream.core.placement.ExpertId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Loads a group's expert kernels from the model, several at once (reading and copying weights off-heap is I/O and
 * memory bound), logging progress at every tenth of the way. A failure names the expert and why.
 */
final class ExpertLoader {
    private static final Logger LOG = Logger.getLogger(ExpertLoader.class);

    private final AtomicInteger loaded = new AtomicInteger();
    private volatile int total;

    /** Experts loaded so far (for the readiness check's data). */
    int loaded() {
        return loaded.get();
    }

    int total() {
        return total;
    }

    /**
     * @throws ExpertLoadException naming the first expert that could not be loaded (the process then exits)
     */
    <T> List<T> load(MoeModel model, List<ExpertId> ids, KernelBackend backend, int threads, Function<Loaded, T> serve) {
        total = ids.size();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, ids.size())));
        List<Future<T>> futures = new ArrayList<>(ids.size());
        try {
            for (ExpertId id : ids) {
                futures.add(pool.submit(() -> {
                    // off-heap weights, loaded once; the model's own copy is released when it closes
                    T served = serve.apply(new Loaded(id, backend.load(model.expert(id.layer(), id.expert()))));
                    progress(loaded.incrementAndGet());
                    return served;
                }));
            }
            List<T> served = new ArrayList<>(ids.size());
            for (int i = 0; i < futures.size(); i++) {
                try {
                    served.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    futures.forEach(future -> future.cancel(true));
                    throw new ExpertLoadException(ids.get(i), e.getCause());
                }
            }
            return served;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExpertLoadException(ids.get(0), e);
        } finally {
            pool.shutdownNow();
        }
    }

    private void progress(int count) {
        int step = Math.max(1, total / 10);
        if (count % step == 0 || count == total) {
            LOG.infof("experts loaded: %d/%d", count, total);
        }
    }

    /** One expert's freshly loaded kernel. */
    record Loaded(ExpertId id, ExpertKernel kernel) {
    }

    /** Expert {@code id} could not be loaded. */
    static final class ExpertLoadException extends RuntimeException {
        ExpertLoadException(ExpertId id, Throwable cause) {
            super("expert " + id + " failed to load: " + cause.getMessage(), cause);
        }
    }
}
