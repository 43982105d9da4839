package io.moestream.router.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.load.ChunkLoad;
import io.moestream.core.routing.RoutingStats;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the router did, over all chunks: Prometheus {@code moe_router_assignments_total{outcome=...}} with
 * {@code requested} (what the routing mode chose), {@code skipped} (confidence threshold), {@code dropped} (over
 * capacity) and {@code rerouted} (the skipped share is {@code skipped / requested}, the drop rate
 * {@code dropped / requested}); {@code moe_router_expert_tokens_total{layer,expert}}, the rows sent to each routed
 * expert; {@code moe_router_dead_letters_total}, chunks rejected to the dead-letter topic.
 */
public final class RoutingMetrics {
    private final MeterRegistry registry;
    private final Map<Long, Counter> expertTokens = new ConcurrentHashMap<>();
    private final Counter deadLetters;
    private final Counter requested;
    private final Counter skipped;
    private final Counter dropped;
    private final Counter rerouted;

    public RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.deadLetters = Counter.builder("moe.router.dead.letters")
                .description("Token chunks the router rejected to the dead-letter topic")
                .register(registry);
        this.requested = counter(registry, "requested");
        this.skipped = counter(registry, "skipped");
        this.dropped = counter(registry, "dropped");
        this.rerouted = counter(registry, "rerouted");
    }

    public void chunkRouted(RoutingStats stats, ChunkLoad load) {
        requested.increment(stats.requested());
        skipped.increment(stats.skipped());
        dropped.increment(stats.dropped());
        rerouted.increment(stats.rerouted());
        for (int e = 0; e < load.tokens().length; e++) {
            if (load.tokens()[e] > 0) {
                expertTokens(load.layer(), e).increment(load.tokens()[e]);
            }
        }
    }

    public void deadLettered() {
        deadLetters.increment();
    }

    private Counter expertTokens(int layer, int expert) {
        return expertTokens.computeIfAbsent(((long) layer << 32) | expert, k -> Counter.builder("moe.router.expert.tokens")
                .description("Rows routed to each routed expert (the shared expert, which gets every row, is not counted)")
                .tag("layer", Integer.toString(layer))
                .tag("expert", Integer.toString(expert))
                .register(registry));
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("moe.router.assignments")
                .description("(row, expert) assignments of routed chunks, by what the routing options did with them")
                .tag("outcome", outcome)
                .register(registry);
    }
}
