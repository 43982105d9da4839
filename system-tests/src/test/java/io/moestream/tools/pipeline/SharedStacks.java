package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One running stack per {@link Key} for the whole test JVM, shared by the test classes that ask for the same key: a
 * broker in this JVM ({@link TestKafkaCluster}), the generated model, the router, expert and gateway processes from
 * their production jars, and a client of the gateway. A test class takes it with {@code @ExtendWith(SharedStacks.class)}
 * and a parameter {@code SharedStacks stacks} (of a test or a {@code @BeforeAll} method), then
 * {@code stacks.get(key)}.
 *
 * <p>The stacks live in the launcher session's store, which outlives the test classes of one test JVM (surefire and
 * failsafe run each class as an execution of its own in one session), and are closed, their logs kept under
 * {@code target/stack-logs/stack-...}, when the session ends.
 *
 * <p>Only tests that leave the stack as they found it may share one: no process killed or stopped, no placement,
 * routing or other option of their own, no topic changed; whatever they start on it they stop again. Since another
 * class may have used the stack before, a sharing test uses request ids of its own and reads counters and topics as
 * deltas or by its request ids, never as if it started from zero. A test that needs anything else keeps its own stack.
 */
public final class SharedStacks implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedStacks.class);

    /** What makes two stacks the same: the generated model, the expert processes and the extra service properties. */
    public record Key(ModelSpec spec, int expertProcesses, Map<String, String> properties) {
        public Key {
            properties = Map.copyOf(properties);
        }

        /** The model of {@code spec} on the default stack: one expert process, no extra properties. */
        public static Key of(ModelSpec spec) {
            return new Key(spec, 1, Map.of());
        }

        public Key withExpertProcesses(int count) {
            return new Key(spec, count, properties);
        }

        /** A name for the logs: experts x top-k, d_model, seed, processes. */
        String label() {
            return spec.experts() + "x" + spec.topK() + "-d" + spec.dModel() + "-s" + spec.seed() + "-p" + expertProcesses
                    + (properties.isEmpty() ? "" : "-" + Integer.toHexString(new TreeMap<>(properties).hashCode()));
        }
    }

    /** A running stack: one from {@link #get}, which tests use and must not close, or one of a test's own. */
    public static final class Stack implements AutoCloseable {
        private final Key key;
        private final Path modelDir;
        private final TestKafkaCluster kafka;
        private final LocalStack stack;
        private final GatewayClient client;

        private Stack(Key key, Path modelDir, TestKafkaCluster kafka, LocalStack stack, GatewayClient client) {
            this.key = key;
            this.modelDir = modelDir;
            this.kafka = kafka;
            this.stack = stack;
            this.client = client;
        }

        /** A stack of {@code key} for one test alone, which closes it. */
        static Stack start(Key key) throws Exception {
            Path modelDir = Files.createTempDirectory("moe-shared-model-");
            TestKafkaCluster kafka = null;
            LocalStack stack = null;
            try {
                ModelGenerator.generate(modelDir, key.spec());
                kafka = TestKafkaCluster.start();
                stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                        .withBootstrap(kafka.bootstrapServers())
                        .withExpertProcesses(key.expertProcesses())
                        .withExtraProperties(key.properties()), line -> System.out.println("[stack " + key.label() + "] " + line));
                return new Stack(key, modelDir, kafka, stack, new GatewayClient(stack.gatewayAddress()));
            } catch (Exception | Error e) {
                if (stack != null) {
                    stack.close();
                }
                if (kafka != null) {
                    kafka.close();
                }
                deleteRecursively(modelDir);
                throw e;
            }
        }

        public Path modelDir() {
            return modelDir;
        }

        public TestKafkaCluster kafka() {
            return kafka;
        }

        public LocalStack stack() {
            return stack;
        }

        public GatewayClient client() {
            return client;
        }

        @Override
        public void close() throws Exception {
            System.out.println("[stack " + key.label() + "] closing");
            try {
                stack.copyLogsTo(PipelineFixtures.logDir("stack-" + key.label()));
            } finally {
                client.close();
                stack.close();
                kafka.close();
                deleteRecursively(modelDir);
            }
        }
    }

    private final ExtensionContext.Store store;

    /** The extension, as JUnit creates it. */
    public SharedStacks() {
        this(null);
    }

    private SharedStacks(ExtensionContext.Store store) {
        this.store = store;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SharedStacks.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return new SharedStacks(context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, NAMESPACE));
    }

    /**
     * The stack of {@code key}, started on first use in this JVM; every one of its processes is still running (a test
     * that broke it fails the next user here rather than somewhere obscure).
     */
    public Stack get(Key key) {
        Stack stack = store.computeIfAbsent(key, k -> {
            try {
                return Stack.start(key);
            } catch (Exception e) {
                throw new IllegalStateException("the shared stack " + key + " did not start", e);
            }
        }, Stack.class);
        assertThat(stack.stack().firstExited()).as("a process of the shared stack " + key.label() + " exited").isEmpty();
        return stack;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
