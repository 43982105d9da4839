package io.moestream.expert.health;

import io.moestream.expert.worker.ExpertWorkers;
import io.moestream.expert.worker.GroupConsumer;
import io.moestream.expert.worker.WorkerState;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * "expert-workers": DOWN while the group's experts load ({@code loaded: n/total}) and until every consumer has joined
 * the group (its first partition assignment, possibly empty when replicas outnumber partitions); DOWN again if a
 * consumer fails.
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
        List<GroupConsumer> consumers = workers.consumers();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("expert-workers")
                .status(!consumers.isEmpty() && consumers.stream().allMatch(c -> c.state() == WorkerState.SERVING))
                .withData("loaded", workers.loadedExperts() + "/" + workers.totalExperts());
        for (WorkerState state : WorkerState.values()) {
            long count = consumers.stream().filter(c -> c.state() == state).count();
            if (count > 0) {
                response.withData("consumers " + state.name().toLowerCase(), count);
            }
        }
        return response.build();
    }
}
