package io.moestream.gateway.health;

import io.moestream.gateway.kafka.ReplyListener;
import io.moestream.gateway.kafka.TokenPublisher;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

/**
 * Whether the gateway can serve: its reply topic exists and the reply listener holds it, and the producer reached
 * the broker and sees the token topic. Logs the ready line the first time all three hold.
 */
public final class GatewayReadiness {
    private static final Logger LOG = Logger.getLogger(GatewayReadiness.class);

    /** The answer of one check; {@code detail} says what is missing, or what the gateway serves. */
    public record Report(boolean up, String detail) {
    }

    private final TokenPublisher publisher;
    private final String readyLine;
    private volatile ReplyListener listener;
    private boolean producerConnected;
    private boolean announced;

    public GatewayReadiness(TokenPublisher publisher, String readyLine) {
        this.publisher = publisher;
        this.readyLine = readyLine;
    }

    /** The reply topic exists and {@code listener} was started on it. */
    public void replyListenerStarted(ReplyListener started) {
        this.listener = started;
    }

    public synchronized Report check() {
        if (listener == null) {
            return new Report(false, "reply topic not set up yet");
        }
        if (!listener.isListening()) {
            return new Report(false, "reply listener does not hold its partitions");
        }
        if (!producerConnected) {
            try {
                publisher.checkConnected();
                producerConnected = true;
            } catch (KafkaException e) {
                return new Report(false, "producer cannot see topic " + publisher.tokensTopic() + ": " + e.getMessage());
            }
        }
        if (!announced) {
            announced = true;
            LOG.info(readyLine);
        }
        return new Report(true, readyLine);
    }
}
