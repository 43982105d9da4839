package io.moestream.router.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** The router's own keys; Kafka Streams settings live under {@code kafka-streams.*} and {@code quarkus.kafka-streams.*}. */
@ConfigMapping(prefix = "moe")
public interface RouterConfig {

    /** The model whose gate tensors score the chunks. */
    Model model();

    /** Prefix of every topic name (e.g. {@code shadow.}) so that a parallel pipeline can share a cluster; empty by default. */
    Optional<String> topicPrefix();

    /** Most rows one token chunk may carry; larger chunks go to the dead-letter topic. */
    @WithDefault("4096")
    int maxChunkRows();

    interface Model {
        /** Hugging Face model directory ({@code config.json} + safetensors) holding at least the gate tensors. */
        Path dir();
    }
}
