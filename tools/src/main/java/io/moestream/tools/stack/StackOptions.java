package io.moestream.tools.stack;

import io.moestream.core.model.LayerSelection;
import io.moestream.core.placement.PlanSource;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.Topics;
import io.moestream.tools.monitoring.MonitoringOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link LocalStack} starts.
 *
 * @param modelDir         the model in Hugging Face layout
 * @param bootstrap        an existing Kafka cluster, or {@code null} to start the embedded broker
 * @param gatewayPort      the gateway's gRPC port, or 0 for a free one
 * @param placement        the expert groups: a plan file, a number of groups, or the packer's memory budget
 * @param extraProperties  extra {@code -D} properties for every service (tests use it for short deadlines); a key
 *                         {@code <module>:<key>}, e.g. {@code expert-service:moe.blas.threads}, is for that module only
 * @param topics           the pipeline's topic names: {@link Topics#DEFAULT}, or a prefixed set for a parallel
 *                         (shadow) pipeline on the same cluster
 * @param secure           the embedded broker on SASL_SSL with SCRAM principals and ACLs ({@link SecureKafka})
 * @param grpcMutualTls    the gateway's gRPC server on mutual TLS, with certificates made at start ({@link GatewayTls})
 * @param monitoring       Prometheus and Alertmanager beside the stack ({@code ./moe up --monitoring}), or off
 * @param brokers          how many embedded Kafka brokers ({@link BrokerCluster}); ignored with {@code bootstrap}
 */
public record StackOptions(Path modelDir, String bootstrap, int gatewayPort, PlanSource placement,
                           Map<String, String> extraProperties, Topics topics, boolean secure, boolean grpcMutualTls,
                           MonitoringOptions monitoring, int brokers) {

    public StackOptions(Path modelDir, String bootstrap, int gatewayPort, PlanSource placement,
                        Map<String, String> extraProperties, Topics topics) {
        this(modelDir, bootstrap, gatewayPort, placement, extraProperties, topics, false, false, MonitoringOptions.OFF, 1);
    }

    public StackOptions {
        if (secure && bootstrap != null) {
            throw new IllegalArgumentException("--secure sets up the embedded broker; an existing cluster (--bootstrap)"
                    + " keeps its own security: give its settings with -D kafka.security.protocol=... instead");
        }
        BrokerCluster.checkCount(brokers, BrokerCluster.machineMemory());
        if (brokers != 1 && bootstrap != null) {
            throw new IllegalArgumentException("--brokers sets up the embedded brokers; an existing cluster (--bootstrap)"
                    + " has its own");
        }
        if (brokers != 1 && secure) {
            throw new IllegalArgumentException("--secure runs one embedded broker: SASL_SSL between several local"
                    + " brokers is not set up (leave out --brokers, or use --brokers 1)");
        }
    }

    /** Run {@code count} embedded brokers as one cluster ({@code ./moe up --brokers}); refused below one. */
    public StackOptions withBrokers(int count) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, placement, extraProperties, topics, secure, grpcMutualTls,
                monitoring, count);
    }

    private static final String LAYERS_KEY = "moe.layers";

    public static StackOptions forModel(Path modelDir) {
        return new StackOptions(modelDir, null, 0, PlanSource.packed(), Map.of(), Topics.DEFAULT);
    }

    public StackOptions withBootstrap(String servers) {
        return new StackOptions(modelDir, servers, gatewayPort, placement, extraProperties, topics,
                secure, grpcMutualTls, monitoring, brokers);
    }

    public StackOptions withGatewayPort(int port) {
        return new StackOptions(modelDir, bootstrap, port, placement, extraProperties, topics,
                secure, grpcMutualTls, monitoring, brokers);
    }

    public StackOptions withPlacement(PlanSource source) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, source, extraProperties, topics,
                secure, grpcMutualTls, monitoring, brokers);
    }

    /** Shortcut for a plan of {@code count} expert groups of one process each, the experts split evenly in layer order. */
    public StackOptions withExpertProcesses(int count) {
        return withPlacement(placement.withGroups(count));
    }

    /** Partitions of every expert topic of a made plan (a plan file says its own). */
    public StackOptions withExpertPartitions(int partitions) {
        return withPlacement(placement.withPartitions(partitions));
    }

    public StackOptions withExtraProperties(Map<String, String> properties) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, placement, properties, topics,
                secure, grpcMutualTls, monitoring, brokers);
    }

    /** Serve only {@code spec}'s MoE layers ({@code all}, or e.g. {@code 0,5-7}): {@code moe.layers} of every service. */
    public StackOptions withLayers(String spec) {
        Map<String, String> properties = new HashMap<>(extraProperties);
        properties.put(LAYERS_KEY, spec);
        return withExtraProperties(properties);
    }

    /** The served layers as {@code moe.layers} gives them; {@code all} unless set. */
    public String layerSpec() {
        return extraProperties.getOrDefault(LAYERS_KEY, LayerSelection.ALL);
    }

    public StackOptions withTopics(Topics names) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, placement, extraProperties, names,
                secure, grpcMutualTls, monitoring, brokers);
    }

    public StackOptions withSecure(boolean on) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, placement, extraProperties, topics,
                on, grpcMutualTls, monitoring, brokers);
    }

    public StackOptions withMonitoring(MonitoringOptions options) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, placement, extraProperties, topics, secure, grpcMutualTls,
                options, brokers);
    }

    public StackOptions withGrpcMutualTls(boolean on) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, placement, extraProperties, topics,
                secure, on, monitoring, brokers);
    }

    /**
     * The router sends the expert tasks' rows as {@code dtype} ({@code fp32}, {@code bf16} or {@code fp16}: its
     * {@code moe.wire-dtype}); the experts answer in kind. A name that is none of these is refused here, before start.
     */
    public StackOptions withWireDtype(String dtype) {
        TensorMessages.wireDtype(dtype);
        Map<String, String> properties = new HashMap<>(extraProperties);
        properties.put("router-service:moe.wire-dtype", dtype);
        return withExtraProperties(properties);
    }

    /** The router routes with {@code routing} (its {@code moe.routing.*} keys); other extra properties stay. */
    public StackOptions withRouting(RoutingOptions routing) {
        Map<String, String> properties = new HashMap<>(extraProperties);
        routerProperties(routing).forEach((key, value) -> properties.put("router-service:" + key, value));
        return withExtraProperties(properties);
    }

    /** The router's configuration keys that give it {@code routing}; empty for the family's routing. */
    public static Map<String, String> routerProperties(RoutingOptions routing) {
        Map<String, String> keys = new TreeMap<>();
        if (routing.isNone()) {
            return keys;
        }
        keys.put("moe.routing.mode", hyphenated(routing.mode()));
        if (routing.capacityFactor() > 0) {
            keys.put("moe.routing.capacity-factor", Double.toString(routing.capacityFactor()));
        }
        keys.put("moe.routing.overflow", hyphenated(routing.overflow()));
        keys.put("moe.routing.renormalize-kept", Boolean.toString(routing.renormaliseKept()));
        if (routing.confidenceThreshold() > 0) {
            keys.put("moe.routing.confidence-threshold", Double.toString(routing.confidenceThreshold()));
        }
        return keys;
    }

    private static String hyphenated(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
