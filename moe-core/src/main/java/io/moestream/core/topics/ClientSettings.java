package io.moestream.core.topics;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/** One set of Kafka client settings shared by a service's admin, consumer and producer clients. */
public final class ClientSettings {
    /**
     * What every producer of the pipeline's records sets, over any configured value: idempotent, acknowledged by all
     * in-sync replicas, so that a retried send neither loses nor duplicates a record.
     */
    public static final Map<String, Object> RELIABLE_PRODUCER = Map.of(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.ACKS_CONFIG, "all");

    private ClientSettings() {
    }

    /**
     * The entries of {@code settings} whose keys a client knows ({@code configNames}, e.g.
     * {@code AdminClientConfig.configNames()}), so that it warns about none of the others.
     */
    public static Map<String, Object> only(Set<String> configNames, Map<String, ?> settings) {
        Map<String, Object> known = new HashMap<>();
        settings.forEach((key, value) -> {
            if (configNames.contains(key)) {
                known.put(key, value);
            }
        });
        return known;
    }
}
