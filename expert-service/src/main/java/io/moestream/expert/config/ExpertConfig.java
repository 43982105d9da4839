package io.moestream.expert.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The expert service's own keys. Kafka client settings are the {@code kafka.*} keys, passed to the consumers
 * and the producer as they are (e.g. {@code kafka.linger.ms}, {@code kafka.security.protocol}).
 */
@ConfigMapping(prefix = "moe")
public interface ExpertConfig {

    /** The model whose expert weights this process serves. */
    Model model();

    /** Prefix of every topic and group name (e.g. {@code shadow.}) for a parallel pipeline; empty by default. */
    Optional<String> topicPrefix();

    /** The MoE layers this pipeline serves: {@code all}, or layers and ranges such as {@code 0,5-7}. */
    @WithDefault("all")
    String layers();

    /** Most rows one task may carry (the router's chunk limit); larger tasks go to the dead-letter topic. */
    @WithDefault("4096")
    int maxChunkRows();

    /** What to serve and how to batch it. */
    Expert expert();

    interface Model {
        /** Hugging Face model directory ({@code config.json} + safetensors). */
        Path dir();
    }

    interface Expert {
        /**
         * The experts of this process's group: {@code all} (every expert of every served layer, see {@code moe.layers}) or
         * a comma list of {@code layer:expert} and {@code layer:first-last}, e.g. {@code 0:0-63,1:5}, as a placement plan
         * writes a group's experts.
         */
        @WithDefault("all")
        String experts();

        /**
         * The expert group (placement plan) this process serves: its consumer group is {@code moe-expert-<group>}, shared
         * by the group's replicas, which split its topics' partitions.
         */
        @WithDefault("0")
        String group();

        /**
         * Kafka consumers of this process, each polling a share of the group's partitions for every expert; a fixed few
         * however many experts the group has.
         */
        @WithDefault("2")
        int consumers();

        /**
         * The precision the experts compute in: {@code auto} (the checkpoint's: a BF16 checkpoint on oneDNN's BF16
         * kernel where the CPU has AMX or AVX512-BF16, otherwise FP32 on OpenBLAS), {@code fp32} or {@code bf16}.
         */
        @WithDefault("auto")
        String computeDtype();

        /** Most rows merged into one kernel call; a single task with more rows runs alone. */
        @WithDefault("256")
        int maxBatchRows();

        /** How long to wait for more tasks after the first one when the batch is not full. */
        @WithDefault("2ms")
        Duration maxWait();

        /**
         * Most kernel calls of this process that run at once, across its experts. Unset: the available processors
         * divided by the OpenBLAS threads of one call, so the kernels never contend for cores among themselves.
         */
        Optional<Integer> concurrentKernels();

        /**
         * Stable name of this process (in Kubernetes the pod name) for static group membership: consumer {@code i} joins
         * with {@code group.instance.id = <id>-c<i>}, so a process restarted under the same name gets its partitions back
         * at once instead of after the session timeout. Unset: dynamic membership.
         */
        Optional<String> instanceId();
    }
}
