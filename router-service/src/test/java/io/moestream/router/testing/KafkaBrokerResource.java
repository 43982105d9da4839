package io.moestream.router.testing;

import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.KafkaModelResource;
import java.util.List;

/** The router under test gets a real broker, the launcher's topics and a one-layer model; the test plays the gateway. */
public class KafkaBrokerResource extends KafkaModelResource {
    /** One MoE layer, four experts, top-2. */
    public static final ModelSpec SPEC = new ModelSpec(1, 4, 2, 16, 24, 5L);
    public static final String REPLY_TOPIC = Topics.DEFAULT.replies("it");

    @Override
    protected ModelSpec spec() {
        return SPEC;
    }

    @Override
    protected List<String> extraTopics() {
        return List.of(REPLY_TOPIC);
    }
}
