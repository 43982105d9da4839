package io.moestream.router.topology;

import io.moestream.core.model.MoeModel;
import io.moestream.core.topics.Topics;
import io.moestream.router.config.RouterConfig;
import io.moestream.router.routing.ChunkRouter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;
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
            ChunkRouter router = ChunkRouter.forModel(model, topics, config.maxChunkRows());
            LOG.infof("router loaded model %s: MoE layers %s, %d experts, top-%d, d_model %d",
                    config.model().dir(), router.layers(), model.config().numExperts(), model.config().topK(),
                    model.config().dModel());
            return router;
        }
    }

    @Produces
    @Singleton
    Topology topology(Topics topics, ChunkRouter router) {
        return RouterTopology.build(topics, router);
    }
}
