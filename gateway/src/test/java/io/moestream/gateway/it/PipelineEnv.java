package io.moestream.gateway.it;

import java.nio.file.Path;

/** What {@link KafkaBrokerResource} set up for a test: the broker, the generated model and the gateway's gRPC port. */
public record PipelineEnv(String bootstrapServers, Path modelDir, int grpcPort) {
}
