package io.moestream.router.config;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.eclipse.microprofile.config.Config;

/**
 * The Kafka client settings of the router's Kafka Streams ({@code quarkus.kafka-streams.bootstrap-servers} and the
 * {@code kafka-streams.*} keys, security included), for the router's own admin, consumer and producer: they log in as
 * the same principal, on the same secured broker. Each client takes its own keys with {@code ClientSettings.only}.
 */
public final class StreamsClientSettings {
    private static final String PREFIX = "kafka-streams.";

    private StreamsClientSettings() {
    }

    public static Map<String, Object> from(Config config) {
        Map<String, Object> settings = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                config.getOptionalValue(name, String.class).ifPresent(v -> settings.put(name.substring(PREFIX.length()), v));
            }
        }
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                config.getValue("quarkus.kafka-streams.bootstrap-servers", String.class));
        return settings;
    }
}
