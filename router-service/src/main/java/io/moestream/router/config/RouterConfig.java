package io.moestream.router.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.moestream.router.load.LoadSettings;
import java.nio.file.Path;
import java.time.Duration;
import io.moestream.core.routing.RoutingOptions;
import java.util.Optional;
import java.util.OptionalDouble;

/** The router's own keys; Kafka Streams settings live under {@code kafka-streams.*} and {@code quarkus.kafka-streams.*}. */
@ConfigMapping(prefix = "moe")
public interface RouterConfig {

    /** The model whose gate tensors score the chunks. */
    Model model();

    /** Prefix of every topic name (e.g. {@code shadow.}) so that a parallel pipeline can share a cluster; empty by default. */
    Optional<String> topicPrefix();

    /** The MoE layers this pipeline serves: {@code all}, or layers and ranges such as {@code 0,5-7}. */
    @WithDefault("all")
    String layers();

    /**
     * Element type of the rows in the expert tasks, and so of the experts' results (an expert answers in its task's
     * type): {@code fp32} (exact), {@code bf16} or {@code fp16} (half the bytes; a task with a value beyond the narrow
     * type's range goes as fp32). Gating always uses the chunk as the gateway sent it. Applies to FP32 chunks only: the
     * rows of a 16-bit chunk go in the chunk's own dtype, which holds them exactly.
     */
    @WithDefault("fp32")
    String wireDtype();

    /** Most rows one token chunk may carry; larger chunks go to the dead-letter topic. */
    @WithDefault("4096")
    int maxChunkRows();

    /** Routing options on top of the family's router; all off unless set. */
    Routing routing();

    /** Expert-load analytics: the windows of the load sub-topology and its imbalance alert. */
    Load load();

    /** This router process among the router replicas. */
    Router router();

    interface Router {
        /**
         * Stable name of the process (the pod name in Kubernetes, {@code MOE_ROUTER_INSTANCE_ID}; {@code <stack
         * directory>-router} on the local stack). When set, Kafka Streams' consumer joins the router group as static
         * member {@code <id>-<stream thread>} ({@code kafka-streams.consumer.group.instance.id}, derived from this key
         * in {@code application.properties}), so a router restarted under the same id gets its partitions back at once
         * instead of after the old member's session timeout; unset, a dynamic member.
         */
        Optional<String> instanceId();

        /**
         * Directory under which the router keeps its Kafka Streams state (the load windows' stores), in a directory of
         * its own per process ({@code kafka-streams.state.dir}, derived from this key in {@code application.properties}).
         * The local stack sets it inside its own directory, so the state goes when the stack does; unset, the
         * system's temporary directory.
         */
        Optional<String> stateRoot();
    }

    interface Load {
        /** Length of the tumbling windows in which each layer's expert load is counted. */
        @WithDefault("10s")
        Duration window();

        /** A window whose balancedness (mean / max expert load) is under this counts as imbalanced. */
        @WithDefault("0.5")
        double balancednessThreshold();

        /** Consecutive imbalanced windows that open an alert on {@code moe.alerts}. */
        @WithDefault("3")
        int alertWindows();

        /** The settings as the topology takes them; out-of-range values fail start-up with the key named. */
        default LoadSettings toSettings() {
            return new LoadSettings(window(), balancednessThreshold(), alertWindows());
        }
    }

    /** Expert lag: how often each routed expert's group backlog is read. */
    Lag lag();

    interface Lag {
        /** Time between two lag checks; an expert with lag and no commit between two checks is stalled. 0 turns it off. */
        @WithDefault("30s")
        Duration checkInterval();
    }

    interface Routing {
        /** {@code family} (the model's own top-k), {@code switch} (top-1), {@code dense} or {@code expert-choice}. */
        @WithDefault("family")
        RoutingOptions.Mode mode();

        /** Capacity per expert per chunk as a multiple of its fair share; unset: no limit (expert-choice: top-k). */
        OptionalDouble capacityFactor();

        /** What happens to an assignment over capacity: {@code drop} or {@code reroute} (to the next-best expert with room). */
        @WithDefault("drop")
        RoutingOptions.Overflow overflow();

        /** Rescale a row's remaining weights to their former sum after a drop or skip. */
        @WithDefault("false")
        boolean renormalizeKept();

        /** Skip a row's second and later expert whose share of the row's weight is below this; unset: never. */
        OptionalDouble confidenceThreshold();

        /** The options as moe-core takes them; a combination that does not fit fails start-up with the reason. */
        default RoutingOptions toOptions() {
            return new RoutingOptions(mode(), capacityFactor().orElse(0), overflow(), renormalizeKept(),
                    confidenceThreshold().orElse(0));
        }
    }

    interface Model {
        /** Hugging Face model directory ({@code config.json} + safetensors) holding at least the gate tensors. */
        Path dir();
    }
}
