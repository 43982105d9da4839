package io.moestream.router.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.routing.RoutingStats;

/**
 * What the routing options did, over all chunks: Prometheus {@code moe_router_assignments_total{outcome=...}} with
 * {@code requested} (what the routing mode chose), {@code skipped} (confidence threshold), {@code dropped} (over
 * capacity) and {@code rerouted}. The skipped share is {@code skipped / requested}, the drop rate
 * {@code dropped / requested}.
 */
public final class RoutingMetrics {
    private final Counter requested;
    private final Counter skipped;
    private final Counter dropped;
    private final Counter rerouted;

    public RoutingMetrics(MeterRegistry registry) {
        this.requested = counter(registry, "requested");
        this.skipped = counter(registry, "skipped");
        this.dropped = counter(registry, "dropped");
        this.rerouted = counter(registry, "rerouted");
    }

    public void chunkRouted(RoutingStats stats) {
        requested.increment(stats.requested());
        skipped.increment(stats.skipped());
        dropped.increment(stats.dropped());
        rerouted.increment(stats.rerouted());
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("moe.router.assignments")
                .description("(row, expert) assignments of routed chunks, by what the routing options did with them")
                .tag("outcome", outcome)
                .register(registry);
    }
}
