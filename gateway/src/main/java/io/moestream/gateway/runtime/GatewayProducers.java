package io.moestream.gateway.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeModel;
import io.moestream.core.topics.Topics;
import io.moestream.gateway.api.InferStreams;
import io.moestream.gateway.api.StreamSettings;
import io.moestream.gateway.config.GatewayConfig;
import io.moestream.gateway.health.GatewayReadiness;
import io.moestream.gateway.kafka.KafkaClients;
import io.moestream.gateway.kafka.TokenPublisher;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.gateway.reassembly.ChunkOwner;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.gateway.reassembly.ReplyDispatcher;
import io.moestream.gateway.validation.ModelShape;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the gateway's plain objects, one of each, from the {@code moe.*} and {@code kafka.*} configuration. */
@ApplicationScoped
public class GatewayProducers {

    @Produces
    @Singleton
    GatewayIdentity identity(GatewayConfig config) {
        String id = config.gateway().instanceId().orElseGet(() -> UUID.randomUUID().toString().substring(0, 8));
        return new GatewayIdentity(id, new Topics(config.topicPrefix().orElse("")));
    }

    @Produces
    @Singleton
    ModelShape modelShape(GatewayConfig config) {
        try (MoeModel model = MoeModel.open(config.model().dir())) {
            return ModelShape.read(model, LayerSelection.parse(config.layers(), model.moeLayers()));
        }
    }

    @Produces
    @Singleton
    KafkaClients kafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, GatewayIdentity identity) {
        return new KafkaClients(kafkaConfig, identity.instanceId());
    }

    @Produces
    @Singleton
    GatewayMetrics metrics(MeterRegistry registry) {
        return new GatewayMetrics(registry);
    }

    @Produces
    @Singleton
    Reassembler<ChunkOwner> reassembler(ModelShape model, GatewayMetrics metrics) {
        Reassembler<ChunkOwner> reassembler = new Reassembler<>(model.dModel());
        metrics.watchChunksInFlight(reassembler::size);
        return reassembler;
    }

    @Produces
    @Singleton
    ReplyDispatcher dispatcher(Reassembler<ChunkOwner> reassembler, ModelShape model, GatewayConfig config,
                               GatewayMetrics metrics) {
        return new ReplyDispatcher(reassembler, model.dModel(), config.maxChunkRows(), metrics);
    }

    @Produces
    @Singleton
    TokenPublisher publisher(KafkaClients clients, GatewayIdentity identity) {
        return new TokenPublisher(clients.producer(), identity.topics(), identity.replyTopic());
    }

    void closePublisher(@Disposes TokenPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    InferStreams streams(GatewayConfig config, ModelShape model, Reassembler<ChunkOwner> reassembler,
                         TokenPublisher publisher, GatewayMetrics metrics) {
        StreamSettings settings = new StreamSettings(model, config.maxChunkRows(), config.gateway().chunkDeadline(),
                config.gateway().maxInFlightChunks(), config.gateway().maxInFlightTokens());
        return new InferStreams(settings, reassembler, publisher, metrics);
    }

    @Produces
    @Singleton
    GatewayReadiness readiness(TokenPublisher publisher, GatewayIdentity identity, ModelShape model,
                               @ConfigProperty(name = "quarkus.grpc.server.port", defaultValue = "9000") int grpcPort) {
        return new GatewayReadiness(publisher, "gateway ready: grpc port " + grpcPort + ", reply topic "
                + identity.replyTopic() + ", layers " + model.servedLayers());
    }
}
