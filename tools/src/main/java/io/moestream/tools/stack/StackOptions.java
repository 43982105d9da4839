package io.moestream.tools.stack;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link LocalStack} starts.
 *
 * @param modelDir         the model in Hugging Face layout
 * @param bootstrap        an existing Kafka cluster, or {@code null} to start the embedded broker
 * @param gatewayPort      the gateway's gRPC port, or 0 for a free one
 * @param expertProcesses  how many expert-service processes share the model's experts (round robin)
 * @param expertPartitions partitions per expert topic (caps the replicas of one expert)
 * @param extraProperties  extra {@code -D} properties for every service (tests use it for short deadlines); a key
 *                         {@code <module>:<key>}, e.g. {@code expert-service:moe.blas.threads}, is for that module only
 */
public record StackOptions(Path modelDir, String bootstrap, int gatewayPort, int expertProcesses,
                           int expertPartitions, Map<String, String> extraProperties) {

    public static StackOptions forModel(Path modelDir) {
        return new StackOptions(modelDir, null, 0, 1, 1, Map.of());
    }

    public StackOptions withBootstrap(String servers) {
        return new StackOptions(modelDir, servers, gatewayPort, expertProcesses, expertPartitions, extraProperties);
    }

    public StackOptions withGatewayPort(int port) {
        return new StackOptions(modelDir, bootstrap, port, expertProcesses, expertPartitions, extraProperties);
    }

    public StackOptions withExpertProcesses(int count) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, count, expertPartitions, extraProperties);
    }

    public StackOptions withExpertPartitions(int partitions) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, expertProcesses, partitions, extraProperties);
    }

    public StackOptions withExtraProperties(Map<String, String> properties) {
        return new StackOptions(modelDir, bootstrap, gatewayPort, expertProcesses, expertPartitions, properties);
    }
}
