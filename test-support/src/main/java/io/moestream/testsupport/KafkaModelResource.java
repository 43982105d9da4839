package io.moestream.testsupport;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * For a {@code @QuarkusTest} of one service: a real broker with the launcher's topics for a generated model, handed
 * to the service as {@code kafka.bootstrap.servers} and {@code moe.model.dir}. Subclasses name the model, any
 * extra topics and the service's own properties.
 */
public abstract class KafkaModelResource implements QuarkusTestResourceLifecycleManager {
    private TestKafkaCluster cluster;
    private TempModel model;

    /** The model the service under test loads. */
    protected abstract ModelSpec spec();

    /** Skew of the model's gate rows; none unless a subclass wants an unevenly routing model. */
    protected ModelGenerator.GateSkew gateSkew() {
        return ModelGenerator.GateSkew.NONE;
    }

    /** Topics beyond the launcher's, e.g. a reply topic the test plays the gateway on. */
    protected List<String> extraTopics() {
        return List.of();
    }

    /** Properties of the service under test beyond the broker and the model. */
    protected Map<String, String> serviceProperties() {
        return Map.of();
    }

    @Override
    public Map<String, String> start() {
        try {
            model = TempModel.generate(spec(), gateSkew());
            cluster = TestKafkaCluster.start();
            cluster.createPipelineTopics(Topics.DEFAULT, spec());
            cluster.createTopics(extraTopics().stream().map(name -> new NewTopic(name, 1, (short) 1)).toList());
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test broker", e);
        }
        Map<String, String> properties = new HashMap<>(serviceProperties());
        properties.put("kafka.bootstrap.servers", cluster.bootstrapServers());
        properties.put("moe.model.dir", model.dir().toString());
        return properties;
    }

    @Override
    public void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the test broker", e);
        } finally {
            if (model != null) {
                model.close();
            }
        }
    }
}
