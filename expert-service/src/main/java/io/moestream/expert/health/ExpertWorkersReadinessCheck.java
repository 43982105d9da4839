package io.moestream.expert.health;

import io.moestream.expert.worker.ExpertWorker;
import io.moestream.expert.worker.ExpertWorkers;
import io.moestream.expert.worker.WorkerState;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * "expert-workers": DOWN until the weights are loaded and every worker has joined its consumer group (its first
 * partition assignment, possibly empty when replicas outnumber partitions); DOWN again if a worker fails.
 */
@Readiness
@ApplicationScoped
public class ExpertWorkersReadinessCheck implements HealthCheck {
    private final ExpertWorkers workers;

    ExpertWorkersReadinessCheck(ExpertWorkers workers) {
        this.workers = workers;
    }

    @Override
    public HealthCheckResponse call() {
        List<ExpertWorker> all = workers.workers();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("expert-workers")
                .status(!all.isEmpty() && all.stream().allMatch(w -> w.state() == WorkerState.SERVING))
                .withData("experts", names(all, null));
        for (WorkerState state : List.of(WorkerState.JOINING, WorkerState.FAILED, WorkerState.STOPPED)) {
            String names = names(all, state);
            if (!names.isEmpty()) {
                response.withData(state.name().toLowerCase(), names);
            }
        }
        return response.build();
    }

    /** The workers' experts as {@code layer:expert}, comma-separated; only those in {@code state} unless it is null. */
    private static String names(List<ExpertWorker> workers, WorkerState state) {
        return workers.stream()
                .filter(w -> state == null || w.state() == state)
                .map(w -> w.expert().id().toString())
                .collect(Collectors.joining(","));
    }
}
