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

/**
 * The gateway's meters. Prometheus names: {@code moe_gateway_chunks_in_flight}, {@code moe_gateway_chunk_latency_seconds}
 * and {@code moe_gateway_replies_ignored_total{reason="duplicate|unknown_chunk|malformed"}}.
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final Timer chunkLatency;
    private final Map<IgnoreReason, Counter> ignored = new EnumMap<>(IgnoreReason.class);

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.chunkLatency = Timer.builder("moe.gateway.chunk.latency")
                .description("Time from publishing a chunk to having its complete layer output")
                .register(registry);
        for (IgnoreReason reason : IgnoreReason.values()) {
            ignored.put(reason, Counter.builder("moe.gateway.replies.ignored")
                    .description("Replies that changed no chunk: duplicates, replies for unknown chunks, malformed replies")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
    }

    /** Reports the number of chunks pending reassembly, read when scraped. */
    public void watchChunksInFlight(IntSupplier chunksInFlight) {
        // The Supplier form keeps a strong reference; the object form would let the supplier be collected.
        Gauge.builder("moe.gateway.chunks.in.flight", () -> chunksInFlight.getAsInt())
                .description("Chunks published and not yet complete, expired or dropped")
                .register(registry);
    }

    public void chunkCompleted(long latencyNanos) {
        chunkLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    public void replyIgnored(IgnoreReason reason) {
        ignored.get(reason).increment();
    }

    /** Replies ignored for {@code reason} so far. */
    public long repliesIgnored(IgnoreReason reason) {
        return (long) ignored.get(reason).count();
    }
}
