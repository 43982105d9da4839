package io.moestream.router.streams;

import io.moestream.core.topics.Topics;
import io.moestream.router.config.RouterConfig;
import io.moestream.router.routing.ChunkRouter;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.jboss.logging.Logger;

/** One log line per lifecycle step of the router's Kafka Streams client (ready, failed, stopping, stopped). */
@Singleton
public class RouterLifecycleLog implements KafkaStreams.StateListener {
    private static final Logger LOG = Logger.getLogger(RouterLifecycleLog.class);

    private final RouterConfig config;
    private final ChunkRouter router;
    private final Topics topics;

    RouterLifecycleLog(RouterConfig config, ChunkRouter router, Topics topics) {
        this.config = config;
        this.router = router;
        this.topics = topics;
    }

    @Override
    public void onChange(State newState, State oldState) {
        switch (newState) {
            case RUNNING -> LOG.infof("router ready: model %s, layers %s, %d experts, topics in=%s",
                    config.model().dir(), router.layers(), router.numExperts(), topics.tokens());
            case ERROR -> LOG.errorf("router failed: Kafka Streams went from %s to ERROR", oldState);
            case PENDING_SHUTDOWN -> LOG.info("router stopping");
            case NOT_RUNNING -> LOG.info("router stopped");
            default -> LOG.debugf("router streams %s -> %s", oldState, newState);
        }
    }
}
