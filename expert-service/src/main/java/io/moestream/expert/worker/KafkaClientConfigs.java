package io.moestream.expert.worker;

import io.moestream.core.topics.ClientSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The expert's Kafka client settings: the {@code kafka.*} keys of the application as the base, then what the
 * delivery guarantees need, which no key can override (manual commits, idempotent acks=all producer).
 */
public final class KafkaClientConfigs {
    private KafkaClientConfigs() {
    }

    /**
     * Session timeout unless {@code kafka.session.timeout.ms} says otherwise: the partitions of a crashed replica move
     * to a live one after it, so it is the first term of an expert's recovery time (target 7 s, BENCHMARKS.md
     * "Recovery"). 6 s is the least a broker accepts by default ({@code group.min.session.timeout.ms}); the client
     * default (45 s) would let the chunks waiting on the dead replica expire.
     */
    static final int SESSION_TIMEOUT_MS = 6_000;
    /**
     * A sixth of the session timeout: a live member learns of a rebalance (a replica gone) at its next heartbeat, so
     * this bounds the second term of the recovery time; several missed heartbeats still do not end its session.
     */
    static final int HEARTBEAT_INTERVAL_MS = 1_000;

    /**
     * A consumer in {@code groupId} that never commits on its own; new groups start at the earliest task. With an
     * {@code instanceId} it is a static member ({@code group.instance.id}): a restart under the same id rejoins
     * without a rebalance and keeps its partitions.
     */
    public static Map<String, Object> consumer(Map<String, Object> base, String groupId, Optional<String> instanceId) {
        Map<String, Object> config = new HashMap<>(base);
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (!config.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
            config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
            config.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
        }
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        instanceId.ifPresent(id -> config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A group's members subscribe to many single-partition topics: the range assignor would hand every topic's
        // partition 0 to one member; the cooperative sticky one spreads them evenly and moves as few as it can.
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /** The shared reply producer: idempotent, acks from all in-sync replicas, no linger unless configured. */
    public static Map<String, Object> producer(Map<String, Object> base) {
        Map<String, Object> config = new HashMap<>(base);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.putAll(ClientSettings.RELIABLE_PRODUCER);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }
}
