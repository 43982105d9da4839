package io.moestream.gateway.runtime;

import io.moestream.core.model.MoeConfig;
import io.moestream.gateway.api.InferStreams;
import io.moestream.gateway.config.GatewayConfig;
import io.moestream.gateway.health.GatewayReadiness;
import io.moestream.gateway.oip.OipInference;
import io.moestream.gateway.oip.OipSettings;
import io.moestream.gateway.oip.ServedModel;
import io.moestream.gateway.oip.ServerState;
import io.moestream.gateway.validation.ModelShape;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.ExecutorService;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the Open Inference Protocol service's plain objects from the {@code moe.*} configuration. */
@ApplicationScoped
public class OipProducers {
    /** Sends the chunks of OIP requests and completes them, off the gRPC, reply-listener and timer threads. */
    private final ExecutorService feeders = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "gateway-oip");
        thread.setDaemon(true);
        return thread;
    });

    @Produces
    @Singleton
    ServedModel servedModel(ModelShape shape, GatewayConfig config) {
        // the served layers' routers are the core path's (ModelShape); the OIP metadata adds the counts of config.json
        MoeConfig model = MoeConfig.read(config.model().dir());
        return new ServedModel(shape.dModel(), model.numExperts(), model.topK(), new TreeMap<>(shape.gates()));
    }

    @Produces
    @Singleton
    OipInference oipInference(ServedModel model, InferStreams streams, GatewayConfig config) {
        int chunkRows = config.gateway().oip().chunkRows()
                .orElse(OipSettings.defaultChunkRows(model.dModel(), config.maxChunkRows()));
        if (chunkRows > config.maxChunkRows()) {
            throw new IllegalArgumentException("moe.gateway.oip.chunk-rows is " + chunkRows
                    + ", more than moe.max-chunk-rows " + config.maxChunkRows());
        }
        return new OipInference(model, streams, new OipSettings(chunkRows, config.gateway().oip().maxStreamRequests()),
                feeders);
    }

    @Produces
    @Singleton
    ServerState serverState(GatewayReadiness readiness, @ConfigProperty(name = "quarkus.application.version",
            defaultValue = "unknown") String version) {
        return new ServerState(version, () -> readiness.check().up());
    }

    @PreDestroy
    void stop() {
        feeders.shutdownNow();
    }
}
