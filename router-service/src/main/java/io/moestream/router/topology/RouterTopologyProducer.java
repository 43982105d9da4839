package io.moestream.router.topology;

import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.DType;
import io.moestream.router.live.LoadBoard;
import io.moestream.router.load.LoadListener;
import io.moestream.router.load.LoadMetrics;
import io.moestream.router.load.LoadSettings;
import io.moestream.router.routing.RoutingMetrics;
import io.moestream.router.config.RouterConfig;
import io.moestream.router.config.StreamsClientSettings;
import io.moestream.router.routing.ChunkRouter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** Thin CDI shell: loads the gates once at start-up and hands Quarkus the topology built around them. */
@ApplicationScoped
public class RouterTopologyProducer {
    private static final Logger LOG = Logger.getLogger(RouterTopologyProducer.class);

    @Produces
    @Singleton
    Topics topics(RouterConfig config) {
        return new Topics(config.topicPrefix().orElse(""));
    }

    @Produces
    @Singleton
    ChunkRouter chunkRouter(RouterConfig config, Topics topics) {
        // the gates are copied onto the heap, so the model's files can be released right away
        try (MoeModel model = MoeModel.open(config.model().dir())) {
            RoutingOptions options = config.routing().toOptions();
            DType taskDtype = TensorMessages.wireDtype(config.wireDtype());
            ChunkRouter router = ChunkRouter.forModel(model, topics, config.maxChunkRows(), options,
                    LayerSelection.parse(config.layers(), model.moeLayers()), taskDtype);
            LOG.infof("router loaded model %s: served MoE layers %s, %d experts, top-%d, d_model %d, routing: %s,"
                    + " task rows as %s", config.model().dir(), router.layers(), model.config().numExperts(),
                    model.config().topK(), model.config().dModel(), options.describe(), taskDtype);
            return router;
        }
    }

    @Produces
    @Singleton
    LoadBoard loadBoard() {
        return new LoadBoard();
    }

    /** The reply topics, listed as the same principal as the stream's producer (the Streams client settings). */
    @Produces
    @Singleton
    KnownReplyTopics replyTopics(Topics topics, Config config) {
        return KnownReplyTopics.connect(StreamsClientSettings.from(config), topics);
    }

    void closeReplyTopics(@Disposes KnownReplyTopics replyTopics) throws Exception {
        replyTopics.close();
    }

    @Produces
    @Singleton
    Topology topology(Topics topics, ChunkRouter router, KnownReplyTopics replyTopics, RouterConfig config,
                      MeterRegistry registry, LoadBoard board) {
        LoadSettings load = config.load().toSettings();
        LOG.infof("router load windows: %d ms, imbalance alert under balancedness %.3f for %d windows",
                load.window().toMillis(), load.balancednessThreshold(), load.alertWindows());
        return RouterTopology.build(topics, router, replyTopics, new RoutingMetrics(registry), load,
                LoadListener.all(new LoadMetrics(registry), board));
    }
}
