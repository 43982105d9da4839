package io.moestream.gateway.runtime;

import io.grpc.Status;
import io.moestream.gateway.api.InferStreams;
import io.moestream.gateway.config.GatewayConfig;
import io.moestream.gateway.health.GatewayReadiness;
import io.moestream.gateway.kafka.KafkaClients;
import io.moestream.gateway.kafka.ReplyListener;
import io.moestream.gateway.kafka.ReplyTopicSetup;
import io.moestream.gateway.reassembly.ExpirySweeper;
import io.moestream.gateway.reassembly.ReplyDispatcher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

/**
 * Start-up: create the reply topic if missing, start the reply listener and the deadline timer, then check
 * readiness once (which logs the ready line when everything is in place). Shutdown: end the open streams with
 * UNAVAILABLE, then stop them in reverse.
 */
@ApplicationScoped
public class GatewayLifecycle {
    private static final Logger LOG = Logger.getLogger(GatewayLifecycle.class);
    private static final Duration ASSIGNMENT_WAIT = Duration.ofSeconds(30);

    @Inject
    GatewayConfig config;
    @Inject
    GatewayIdentity identity;
    @Inject
    KafkaClients clients;
    @Inject
    ReplyDispatcher dispatcher;
    @Inject
    GatewayReadiness readiness;
    @Inject
    InferStreams streams;

    private ReplyListener listener;
    private ExpirySweeper sweeper;

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        LOG.infof("gateway starting: instance %s, model %s", identity.instanceId(), config.model().dir());
        int partitions;
        try (Admin admin = clients.admin()) {
            partitions = new ReplyTopicSetup(admin).ensure(identity.replyTopic());
        }
        listener = new ReplyListener(clients.replyConsumer(), dispatcher, identity.replyTopic(), partitions);
        listener.start();
        sweeper = new ExpirySweeper(dispatcher, config.gateway().chunkDeadline());
        sweeper.start();
        readiness.replyListenerStarted(listener);
        if (listener.awaitAssignment(ASSIGNMENT_WAIT)) {
            readiness.check();
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        LOG.info("gateway stopping");
        // Before the listener stops: no stream of this instance can be answered after it, so none is left waiting.
        streams.endAll(Status.UNAVAILABLE.withDescription("gateway " + identity.instanceId()
                + " is shutting down; the stream's unanswered chunks are dropped, send them again"));
        if (sweeper != null) {
            sweeper.close();
        }
        if (listener != null) {
            listener.close();
        }
    }
}
