package io.moestream.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.moestream.core.reassembly.IgnoreReason;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The gateway's meters. Prometheus names: {@code moe_gateway_chunks_in_flight}, {@code moe_gateway_chunk_latency_seconds}
 * {@code moe_gateway_replies_ignored_total{reason="duplicate|unknown_chunk|malformed"}} and, from the router's
 * manifests of this gateway's chunks, {@code moe_gateway_assignments_total{outcome="requested|skipped|dropped|rerouted"}}
 * (what the router's routing options did; the skipped share is skipped / requested), {@code moe_gateway_tokens_in_flight}
 * with {@code moe_gateway_tokens_in_flight_cap}, and {@code moe_gateway_chunks_refused_total} (RESOURCE_EXHAUSTED).
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final Timer chunkLatency;
    private final Map<IgnoreReason, Counter> ignored = new EnumMap<>(IgnoreReason.class);
    private final Counter requested;
    private final Counter skipped;
    private final Counter dropped;
    private final Counter rerouted;
    private final Counter refusedOverCap;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.chunkLatency = Timer.builder("moe.gateway.chunk.latency")
                .description("Time from publishing a chunk to having its complete layer output")
                // buckets for Prometheus' histogram_quantile and the dashboard's latency heatmap
                .publishPercentileHistogram()
                .register(registry);
        for (IgnoreReason reason : IgnoreReason.values()) {
            ignored.put(reason, Counter.builder("moe.gateway.replies.ignored")
                    .description("Replies that changed no chunk: duplicates, replies for unknown chunks, malformed replies")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        this.requested = assignments("requested");
        this.skipped = assignments("skipped");
        this.dropped = assignments("dropped");
        this.rerouted = assignments("rerouted");
        this.refusedOverCap = Counter.builder("moe.gateway.chunks.refused")
                .description("Chunks refused with RESOURCE_EXHAUSTED because the in-flight token cap was reached")
                .register(registry);
    }

    private Counter assignments(String outcome) {
        return Counter.builder("moe.gateway.assignments")
                .description("(row, expert) assignments of this gateway's chunks, as the router's manifests report them")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Reports the number of chunks pending reassembly, read when scraped. */
    public void watchChunksInFlight(IntSupplier chunksInFlight) {
        // The Supplier form keeps a strong reference; the object form would let the supplier be collected.
        Gauge.builder("moe.gateway.chunks.in.flight", () -> chunksInFlight.getAsInt())
                .description("Chunks published and not yet complete, expired or dropped")
                .register(registry);
    }

    /** Reports the tokens (chunk rows) published and not yet answered, and the cap they are held under. */
    public void watchTokensInFlight(LongSupplier tokensInFlight, long cap) {
        Gauge.builder("moe.gateway.tokens.in.flight", () -> tokensInFlight.getAsLong())
                .description("Tokens of all streams taken and not yet answered to their clients, failed or dropped")
                .register(registry);
        Gauge.builder("moe.gateway.tokens.in.flight.cap", () -> cap)
                .description("The cap on moe_gateway_tokens_in_flight (moe.gateway.max-in-flight-tokens)")
                .register(registry);
    }

    /** A chunk was refused because it would have passed the in-flight token cap. */
    public void chunkRefusedOverCap() {
        refusedOverCap.increment();
    }

    /** Chunks refused over the in-flight token cap so far. */
    public long chunksRefusedOverCap() {
        return (long) refusedOverCap.count();
    }

    public void chunkCompleted(long latencyNanos) {
        chunkLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /** One chunk's manifest: what the router's routing options did to its assignments. */
    public void assignmentsRouted(int requestedCount, int skippedCount, int droppedCount, int reroutedCount) {
        requested.increment(requestedCount);
        skipped.increment(skippedCount);
        dropped.increment(droppedCount);
        rerouted.increment(reroutedCount);
    }

    /** Assignments the router's manifests reported dropped so far. */
    public long assignmentsDropped() {
        return (long) dropped.count();
    }

    public void replyIgnored(IgnoreReason reason) {
        ignored.get(reason).increment();
    }

    /** Replies ignored for {@code reason} so far. */
    public long repliesIgnored(IgnoreReason reason) {
        return (long) ignored.get(reason).count();
    }
}
