package io.moestream.tools.cli;

import io.moestream.testsupport.TestKafkaCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One broker in the test JVM for every case of a test class ({@code @RegisterExtension static}): started before the
 * first case, closed after the last. The interop ITs run their cases' stacks on it under a topic prefix per case, a
 * broker start less per case.
 */
final class ClassBroker implements BeforeAllCallback, AfterAllCallback {
    private TestKafkaCluster kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = TestKafkaCluster.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    TestKafkaCluster kafka() {
        return kafka;
    }
}
