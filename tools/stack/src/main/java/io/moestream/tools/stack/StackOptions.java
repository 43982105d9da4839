package io.moestream.tools.stack;

import io.moestream.core.config.ServiceKeys;
import io.moestream.core.kernel.ComputeDtype;
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
import java.util.function.Consumer;

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
        return with(copy -> copy.brokers = count);
    }

    /** The prefix of a property for the router only (see {@code extraProperties}). */
    private static final String ROUTER = "router-service:";
    private static final String EXPERT = "expert-service:";

    public static StackOptions forModel(Path modelDir) {
        return new StackOptions(modelDir, null, 0, PlanSource.packed(), Map.of(), Topics.DEFAULT);
    }

    public StackOptions withBootstrap(String servers) {
        return with(copy -> copy.bootstrap = servers);
    }

    public StackOptions withGatewayPort(int port) {
        return with(copy -> copy.gatewayPort = port);
    }

    public StackOptions withPlacement(PlanSource source) {
        return with(copy -> copy.placement = source);
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
        return with(copy -> copy.extraProperties = properties);
    }

    /**
     * {@code properties} ({@code [module:]key}, as {@code -D} gives them) over the extra properties set so far: after
     * the flags' own keys ({@link #withLayers}, {@link #withWireDtype}, {@link #withRouting}), an explicit one wins.
     */
    public StackOptions withPropertiesOver(Map<String, String> properties) {
        Map<String, String> merged = new HashMap<>(extraProperties);
        merged.putAll(properties);
        return withExtraProperties(merged);
    }

    /** Serve only {@code spec}'s MoE layers ({@code all}, or e.g. {@code 0,5-7}): {@code moe.layers} of every service. */
    public StackOptions withLayers(String spec) {
        return withPropertiesOver(Map.of(ServiceKeys.LAYERS, spec));
    }

    /** The served layers as {@code moe.layers} gives them; {@code all} unless set. */
    public String layerSpec() {
        return extraProperties.getOrDefault(ServiceKeys.LAYERS, LayerSelection.ALL);
    }

    public StackOptions withTopics(Topics names) {
        return with(copy -> copy.topics = names);
    }

    public StackOptions withSecure(boolean on) {
        return with(copy -> copy.secure = on);
    }

    public StackOptions withMonitoring(MonitoringOptions options) {
        return with(copy -> copy.monitoring = options);
    }

    public StackOptions withGrpcMutualTls(boolean on) {
        return with(copy -> copy.grpcMutualTls = on);
    }

    /**
     * The router sends the expert tasks' rows as {@code dtype} ({@code fp32}, {@code bf16} or {@code fp16}: its
     * {@code moe.wire-dtype}); the experts answer in kind. A name that is none of these is refused here, before start.
     */
    public StackOptions withWireDtype(String dtype) {
        TensorMessages.wireDtype(dtype);
        return withPropertiesOver(Map.of(ROUTER + ServiceKeys.WIRE_DTYPE, dtype));
    }

    /**
     * The experts compute in {@code dtype} ({@code auto}, {@code fp32} or {@code bf16}: their
     * {@code moe.expert.compute-dtype}). A name that is none of these is refused here, before start.
     */
    public StackOptions withComputeDtype(String dtype) {
        return withPropertiesOver(
                Map.of(EXPERT + ServiceKeys.EXPERT_COMPUTE_DTYPE, ComputeDtype.parse(dtype).toString()));
    }

    /** The router routes with {@code routing} (its {@code moe.routing.*} keys); other extra properties stay. */
    public StackOptions withRouting(RoutingOptions routing) {
        Map<String, String> properties = new HashMap<>();
        routerProperties(routing).forEach((key, value) -> properties.put(ROUTER + key, value));
        return withPropertiesOver(properties);
    }

    /** The router's configuration keys that give it {@code routing}; empty for the family's routing. */
    public static Map<String, String> routerProperties(RoutingOptions routing) {
        Map<String, String> keys = new TreeMap<>();
        if (routing.isNone()) {
            return keys;
        }
        keys.put(ServiceKeys.ROUTING_MODE, hyphenated(routing.mode()));
        if (routing.capacityFactor() > 0) {
            keys.put(ServiceKeys.ROUTING_CAPACITY_FACTOR, Double.toString(routing.capacityFactor()));
        }
        keys.put(ServiceKeys.ROUTING_OVERFLOW, hyphenated(routing.overflow()));
        keys.put(ServiceKeys.ROUTING_RENORMALIZE_KEPT, Boolean.toString(routing.renormalizeKept()));
        if (routing.confidenceThreshold() > 0) {
            keys.put(ServiceKeys.ROUTING_CONFIDENCE_THRESHOLD, Double.toString(routing.confidenceThreshold()));
        }
        return keys;
    }

    private static String hyphenated(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private StackOptions with(Consumer<Fields> change) {
        Fields copy = new Fields(this);
        change.accept(copy);
        return copy.options();
    }

    /** A mutable copy of the options, so that each {@code with*} names only the field it changes. */
    private static final class Fields {
        Path modelDir;
        String bootstrap;
        int gatewayPort;
        PlanSource placement;
        Map<String, String> extraProperties;
        Topics topics;
        boolean secure;
        boolean grpcMutualTls;
        MonitoringOptions monitoring;
        int brokers;

        Fields(StackOptions options) {
            modelDir = options.modelDir;
            bootstrap = options.bootstrap;
            gatewayPort = options.gatewayPort;
            placement = options.placement;
            extraProperties = options.extraProperties;
            topics = options.topics;
            secure = options.secure;
            grpcMutualTls = options.grpcMutualTls;
            monitoring = options.monitoring;
            brokers = options.brokers;
        }

        StackOptions options() {
            return new StackOptions(modelDir, bootstrap, gatewayPort, placement, extraProperties, topics, secure,
                    grpcMutualTls, monitoring, brokers);
        }
    }
}
