package io.moestream.core.config;

import io.moestream.core.kernel.Blas;
import java.util.List;

/**
 * The configuration keys of the services that other code writes: the local stack and the CLI ({@code -D} properties of
 * the service processes), the tests. Each service declares its keys once, in its SmallRye {@code @ConfigMapping}
 * interface; these constants name them for the callers, so a renamed key fails a test instead of compiling. Every
 * service has a test that each constant of {@link #SHARED} and of its own list is a property of its mapping.
 *
 * <p>Why constants here rather than one shared mapping interface: moe-core is framework-free (no Quarkus, no SmallRye),
 * and the services document the shared keys differently (a gateway refuses a large chunk, the router dead-letters it).
 */
public final class ServiceKeys {
    /** Hugging Face model directory of every service; no default. */
    public static final String MODEL_DIR = "moe.model.dir";
    /** Prefix of every topic and group name of a parallel pipeline; empty by default. */
    public static final String TOPIC_PREFIX = "moe.topic-prefix";
    /** The served MoE layers: {@code all}, or layers and ranges such as {@code 0,5-7}. */
    public static final String LAYERS = "moe.layers";
    /** Most rows of one chunk, and so of one task. */
    public static final String MAX_CHUNK_ROWS = "moe.max-chunk-rows";

    /** Router: element type of the tasks' rows on the wire ({@code fp32}, {@code bf16}, {@code fp16}). */
    public static final String WIRE_DTYPE = "moe.wire-dtype";
    /** Router: {@code family}, {@code switch}, {@code dense} or {@code expert-choice}. */
    public static final String ROUTING_MODE = "moe.routing.mode";
    /** Router: capacity per expert per chunk as a multiple of its fair share. */
    public static final String ROUTING_CAPACITY_FACTOR = "moe.routing.capacity-factor";
    /** Router: {@code drop} or {@code reroute} an assignment over capacity. */
    public static final String ROUTING_OVERFLOW = "moe.routing.overflow";
    /** Router: rescale a row's kept weights after a drop or skip. */
    public static final String ROUTING_RENORMALIZE_KEPT = "moe.routing.renormalize-kept";
    /** Router: skip a row's weak second-and-later experts under this share. */
    public static final String ROUTING_CONFIDENCE_THRESHOLD = "moe.routing.confidence-threshold";
    /** Router: stable process name for static group membership of its Kafka Streams consumer. */
    public static final String ROUTER_INSTANCE_ID = "moe.router.instance-id";
    /** Router: the directory under which it keeps its Kafka Streams state, a directory of its own per process. */
    public static final String ROUTER_STATE_ROOT = "moe.router.state-root";

    /** Expert service: the experts of its group ({@code all} or {@code layer:expert} ranges). */
    public static final String EXPERT_EXPERTS = "moe.expert.experts";
    /** Expert service: the expert group (placement plan) it serves. */
    public static final String EXPERT_GROUP = "moe.expert.group";
    /** Expert service: stable process name for static group membership. */
    public static final String EXPERT_INSTANCE_ID = "moe.expert.instance-id";
    /** Expert service: the dtype its kernels compute in ({@code auto}, {@code fp32} or {@code bf16}). */
    public static final String EXPERT_COMPUTE_DTYPE = "moe.expert.compute-dtype";

    /** Gateway: the Quarkus TLS registry configuration of its gRPC server. */
    public static final String GATEWAY_TLS_CONFIGURATION_NAME = "moe.gateway.tls-configuration-name";

    /**
     * OpenBLAS threads of a router or expert process. Not a mapped key: moe-core reads it ({@link Blas}) before any
     * service configuration exists, as the system property or the environment variable {@code MOE_BLAS_THREADS}.
     */
    public static final String BLAS_THREADS = Blas.THREADS_PROPERTY;

    /** The keys every service maps. */
    public static final List<String> SHARED = List.of(MODEL_DIR, TOPIC_PREFIX, LAYERS, MAX_CHUNK_ROWS);
    /** The router's own keys that others write. */
    public static final List<String> ROUTER = List.of(WIRE_DTYPE, ROUTING_MODE, ROUTING_CAPACITY_FACTOR, ROUTING_OVERFLOW,
            ROUTING_RENORMALIZE_KEPT, ROUTING_CONFIDENCE_THRESHOLD, ROUTER_INSTANCE_ID, ROUTER_STATE_ROOT);
    /** The expert service's own keys that others write. */
    public static final List<String> EXPERT = List.of(EXPERT_EXPERTS, EXPERT_GROUP, EXPERT_INSTANCE_ID,
            EXPERT_COMPUTE_DTYPE);
    /** The gateway's own keys that others write. */
    public static final List<String> GATEWAY = List.of(GATEWAY_TLS_CONFIGURATION_NAME);

    private ServiceKeys() {
    }
}
