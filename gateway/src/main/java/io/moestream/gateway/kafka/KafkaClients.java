package io.moestream.gateway.kafka;

import io.moestream.core.topics.ClientSettings;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Builds the gateway's Kafka clients from the common client settings (the {@code kafka.*} keys, e.g.
 * {@code kafka.bootstrap.servers}). Settings the gateway's behaviour depends on are fixed here and win.
 */
public final class KafkaClients {
    private final Map<String, Object> common;
    private final String instanceId;

    public KafkaClients(Map<String, Object> common, String instanceId) {
        this.common = Map.copyOf(common);
        this.instanceId = instanceId;
    }

    public Admin admin() {
        Map<String, Object> config = new HashMap<>(common);
        config.put("client.id", "moe-gateway-" + instanceId + "-admin");
        return Admin.create(config);
    }

    /** Token-chunk producer: no lost or duplicated chunk on retry (idempotence, acks=all), no batching delay. */
    public KafkaProducer<String, byte[]> producer() {
        Map<String, Object> config = new HashMap<>();
        // A missing topic or a full buffer fails a send after 10 s instead of the client default of 60 s.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.putAll(common);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "moe-gateway-" + instanceId);
        config.putAll(ClientSettings.RELIABLE_PRODUCER);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** Reply-topic consumer: no group (partitions are assigned, not subscribed), so nothing to commit. */
    public KafkaConsumer<String, byte[]> replyConsumer() {
        Map<String, Object> config = new HashMap<>(common);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "moe-gateway-" + instanceId + "-replies");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
