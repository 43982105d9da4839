package io.moestream.gateway.it;

import io.moestream.core.model.ModelSpec;
import io.moestream.testsupport.KafkaModelResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

/**
 * The test-support broker and seeded model, with the launcher's topics, for the packaged gateway; the test plays
 * router and experts itself.
 */
public class KafkaBrokerResource extends KafkaModelResource {
    /** Short, so the test of a chunk whose experts never answer does not wait long. */
    static final String CHUNK_DEADLINE = "3s";
    static final ModelSpec MODEL = new ModelSpec(2, 4, 2, 16, 32, 42L);

    private final int grpcPort = freePort();
    private PipelineEnv env;

    @Override
    protected ModelSpec spec() {
        return MODEL;
    }

    @Override
    protected Map<String, String> serviceProperties() {
        return Map.of("moe.gateway.chunk-deadline", CHUNK_DEADLINE,
                "moe.gateway.instance-id", "it",
                "quarkus.grpc.server.port", Integer.toString(grpcPort));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> properties = super.start();
        env = new PipelineEnv(properties.get("kafka.bootstrap.servers"), Path.of(properties.get("moe.model.dir")), grpcPort);
        return properties;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(env, new TestInjector.MatchesType(PipelineEnv.class));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
