package io.moestream.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** The gateway's {@code moe.*} configuration keys. */
@ConfigMapping(prefix = "moe")
public interface GatewayConfig {

    /** The model the gateway serves. */
    Model model();

    /** Prefix of every topic name ({@code moe.tokens} becomes {@code <prefix>moe.tokens}); empty by default. */
    Optional<String> topicPrefix();

    /** The MoE layers this pipeline serves: {@code all}, or layers and ranges such as {@code 0,5-7}. */
    @WithDefault("all")
    String layers();

    /** Largest number of rows accepted in one chunk; a bigger chunk ends its stream with INVALID_ARGUMENT. */
    @WithDefault("4096")
    int maxChunkRows();

    /** Settings of this gateway instance. */
    Gateway gateway();

    /** {@code moe.model.*} */
    interface Model {
        /** Directory of the model in Hugging Face layout ({@code config.json} + safetensors). */
        Path dir();
    }

    /** {@code moe.gateway.*} */
    interface Gateway {
        /** Name of this instance; its reply topic is {@code moe.replies.<id>}. A random short id when unset. */
        Optional<String> instanceId();

        /**
         * Time a pending chunk may wait, counted from its publish or from the last answer to a chunk of its stream,
         * whichever is later, before its stream ends with DEADLINE_EXCEEDED: a bound on a stall, not on queueing.
         */
        @WithDefault("30s")
        Duration chunkDeadline();

        /**
         * Most chunks of one stream that may be pending (received, not yet answered) at once. A few chunks keep the
         * experts busy; more only queue (Little's law), and a queue is what a failure adds its time to: at OLMoE's
         * shape (64 BF16 experts on 2 cores) 32 chunks of 64 rows waited about 15 s each and answers came in bursts
         * up to 5.4 s apart without a fault (at most 3.0 s apart with 8), at the same throughput (BENCHMARKS.md).
         */
        @WithDefault("8")
        int maxInFlightChunks();

        /**
         * Most tokens (chunk rows) of all streams together that may be published and not yet answered. A chunk that
         * would pass it ends its stream with RESOURCE_EXHAUSTED: each pending token holds d_model FP32 sums, so this
         * bounds the reassembly memory (about {@code max-in-flight-tokens * d_model * 4} bytes).
         */
        @WithDefault("32768")
        long maxInFlightTokens();

        /**
         * A named configuration of the Quarkus TLS registry ({@code quarkus.tls.<name>.*}: key store, and for mutual
         * TLS a trust store of the client CA) for the gRPC server. Unset: plain text, as on the local stack.
         */
        Optional<String> tlsConfigurationName();

        /** The Open Inference Protocol service. */
        Oip oip();
    }

    /** {@code moe.gateway.oip.*} */
    interface Oip {
        /**
         * Most rows of one chunk when an OIP request is cut for the pipeline. Unset: the rows whose FP32 values fit
         * in 1,000,000 bytes (Kafka's default record limit is 1 MiB), at most {@code moe.max-chunk-rows}.
         */
        OptionalInt chunkRows();

        /** Requests of one ModelStreamInfer stream in progress at once; the client's next ones wait (flow control). */
        @WithDefault("8")
        int maxStreamRequests();
    }
}
