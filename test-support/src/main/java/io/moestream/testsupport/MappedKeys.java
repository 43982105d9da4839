package io.moestream.testsupport;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;
import java.util.Set;
import java.util.TreeSet;

/**
 * The properties a service's SmallRye {@code @ConfigMapping} interface maps, by full name (e.g. {@code moe.layers}),
 * for the tests that every {@code ServiceKeys} constant a service is written with is one of its keys.
 */
public final class MappedKeys {
    private MappedKeys() {
    }

    public static Set<String> of(Class<?> mapping) {
        ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
        if (annotation == null) {
            throw new IllegalArgumentException(mapping.getName() + " is not a @ConfigMapping interface");
        }
        return new TreeSet<>(ConfigMappings.getProperties(
                new ConfigMappings.ConfigClass(mapping, annotation.prefix())).keySet());
    }
}
