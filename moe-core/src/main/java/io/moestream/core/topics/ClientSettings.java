package io.moestream.core.topics;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** One set of Kafka client settings shared by a service's admin, consumer and producer clients. */
public final class ClientSettings {
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
