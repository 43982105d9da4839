package io.moestream.router.lag;

import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.topics.Topics;
import io.moestream.router.config.RouterConfig;
import io.moestream.router.live.LoadBoard;
import io.moestream.router.routing.ChunkRouter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Starts the {@link ExpertLagMonitor} with the router (unless {@code moe.lag.check-interval} is 0) and stops it. */
@ApplicationScoped
public class ExpertLagMonitorLifecycle {
    private final RouterConfig config;
    private final Topics topics;
    private final ChunkRouter router;
    private final LoadBoard board;
    private final MeterRegistry registry;
    private final String bootstrap;
    private ExpertLagMonitor monitor;

    ExpertLagMonitorLifecycle(RouterConfig config, Topics topics, ChunkRouter router, LoadBoard board,
                              MeterRegistry registry, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.config = config;
        this.topics = topics;
        this.router = router;
        this.board = board;
        this.registry = registry;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent event) {
        if (config.lag().checkInterval().isZero()) {
            return;
        }
        monitor = new ExpertLagMonitor(bootstrap, topics, router.layers(), router.numExperts(), board, registry);
        monitor.start(config.lag().checkInterval());
    }

    void stop(@Observes ShutdownEvent event) {
        if (monitor != null) {
            monitor.close();
        }
    }
}
