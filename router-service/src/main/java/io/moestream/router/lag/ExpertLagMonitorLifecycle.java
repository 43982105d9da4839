package io.moestream.router.lag;

import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.topics.Topics;
import io.moestream.router.config.RouterConfig;
import io.moestream.router.config.StreamsClientSettings;
import io.moestream.router.live.LoadBoard;
import io.moestream.router.routing.ChunkRouter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

/** Starts the {@link ExpertLagMonitor} with the router (unless {@code moe.lag.check-interval} is 0) and stops it. */
@ApplicationScoped
public class ExpertLagMonitorLifecycle {
    private final RouterConfig config;
    private final Topics topics;
    private final ChunkRouter router;
    private final LoadBoard board;
    private final MeterRegistry registry;
    private final Config settings;
    private ExpertLagMonitor monitor;

    ExpertLagMonitorLifecycle(RouterConfig config, Topics topics, ChunkRouter router, LoadBoard board,
                              MeterRegistry registry, Config settings) {
        this.config = config;
        this.topics = topics;
        this.router = router;
        this.board = board;
        this.registry = registry;
        this.settings = settings;
    }

    void start(@Observes StartupEvent event) {
        if (config.lag().checkInterval().isZero()) {
            return;
        }
        // the Streams client settings: the same principal and security as the router's stream
        monitor = new ExpertLagMonitor(StreamsClientSettings.from(settings), topics, router.layers(), router.numExperts(),
                board, registry);
        monitor.start(config.lag().checkInterval());
    }

    void stop(@Observes ShutdownEvent event) {
        if (monitor != null) {
            monitor.close();
        }
    }
}
