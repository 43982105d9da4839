package io.moestream.router.load;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus {@code moe_router_layer_balancedness{layer}}: the balancedness of each layer's latest closed window (a
 * gauge per layer, created with its first window), and {@code moe_router_load_alerts_open{layer}} (1 while the
 * layer's imbalance alert is open). Only layers whose windows this router replica aggregates are reported.
 */
public final class LoadMetrics implements LoadListener {
    private final MeterRegistry registry;
    private final Map<Integer, AtomicLong> balancedness = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> alertOpen = new ConcurrentHashMap<>();

    public LoadMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void windowClosed(ExpertLoad window) {
        gauge(balancedness, "moe.router.layer.balancedness", "Mean / max expert load of the layer's latest closed window",
                window.getLayer()).set(Double.doubleToLongBits(window.getBalancedness()));
    }

    @Override
    public void alert(LoadAlert alert) {
        if (alert.getKind() != LoadAlert.Kind.IMBALANCE) {
            return;
        }
        gauge(alertOpen, "moe.router.load.alerts.open", "1 while the layer's imbalance alert is open", alert.getLayer())
                .set(Double.doubleToLongBits(alert.getState() == LoadAlert.State.OPEN ? 1.0 : 0.0));
    }

    private AtomicLong gauge(Map<Integer, AtomicLong> gauges, String name, String description, int layer) {
        return gauges.computeIfAbsent(layer, l -> {
            AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
            // the Supplier form keeps a strong reference to the value holder
            Gauge.builder(name, () -> Double.longBitsToDouble(bits.get()))
                    .description(description)
                    .tag("layer", Integer.toString(l))
                    .register(registry);
            return bits;
        });
    }
}
