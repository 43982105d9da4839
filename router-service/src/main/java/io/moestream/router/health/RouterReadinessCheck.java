package io.moestream.router.health;

import io.moestream.router.routing.ChunkRouter;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * UP only while the router's Kafka Streams client is RUNNING (partitions assigned, gates loaded), next to
 * Quarkus' own readiness check that the input topics exist.
 */
@Readiness
@ApplicationScoped
public class RouterReadinessCheck implements HealthCheck {
    private final KafkaStreams streams;
    private final ChunkRouter router;

    RouterReadinessCheck(KafkaStreams streams, ChunkRouter router) {
        this.streams = streams;
        this.router = router;
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        return HealthCheckResponse.named("router-streams")
                .status(state == KafkaStreams.State.RUNNING)
                .withData("state", state.name())
                .withData("layers", router.layers().toString())
                .build();
    }
}
