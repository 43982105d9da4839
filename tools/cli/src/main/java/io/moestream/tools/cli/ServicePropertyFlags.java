package io.moestream.tools.cli;

import io.moestream.core.config.ServiceKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code -D [module:]key=value}: system properties of the stack's services, for {@code ./moe up} and {@code ./moe bench}. */
final class ServicePropertyFlags {

    @Option(names = {"-D", "--service-property"}, paramLabel = "KEY=VALUE",
            description = "A system property for every service of the stack, or for one module as MODULE:KEY=VALUE"
                    + " (e.g. -D expert-service:" + ServiceKeys.BLAS_THREADS + "=1); repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    Map<String, String> properties() {
        return properties;
    }
}
