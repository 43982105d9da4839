package io.moestream.gateway.kafka;

import io.moestream.core.topics.Topics;
import io.moestream.gateway.api.ChunkPublisher;
import io.moestream.proto.v1.TokenChunk;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes token chunks to {@code moe.tokens}, keyed by request id, with this gateway's reply topic in a header. */
public final class TokenPublisher implements ChunkPublisher, AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final String tokensTopic;
    private final byte[] replyTopic;

    public TokenPublisher(Producer<String, byte[]> producer, Topics topics, String replyTopic) {
        this.producer = producer;
        this.tokensTopic = topics.tokens();
        this.replyTopic = replyTopic.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void publish(TokenChunk chunk, Consumer<Exception> onFailure) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(tokensTopic, chunk.getRequestId(), chunk.toByteArray());
        record.headers().add(Topics.REPLY_TO_HEADER, replyTopic);
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    onFailure.accept(error);
                }
            });
        } catch (RuntimeException e) {
            onFailure.accept(e);
        }
    }

    /**
     * Fetches the token topic's metadata through the producer: succeeds once the producer reaches the broker and
     * the topic exists.
     */
    public void checkConnected() {
        producer.partitionsFor(tokensTopic);
    }

    public String tokensTopic() {
        return tokensTopic;
    }

    @Override
    public void close() {
        producer.close();
    }
}
