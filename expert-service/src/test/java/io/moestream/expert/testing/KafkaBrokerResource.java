package io.moestream.expert.testing;

import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.KafkaModelResource;
import java.util.List;
import java.util.Map;

/** The expert service under test gets a real broker, the launcher's topics, a two-layer model and its experts. */
public class KafkaBrokerResource extends KafkaModelResource {
    /** Two MoE layers, four experts, top-2. */
    public static final ModelSpec SPEC = new ModelSpec(2, 4, 2, 16, 24, 5L);
    public static final String REPLY_TOPIC = Topics.DEFAULT.replies("it");
    /** The experts the service under test serves; the others have topics but no worker. */
    public static final String SERVED = "0:1,1:2";

    @Override
    protected ModelSpec spec() {
        return SPEC;
    }

    @Override
    protected List<String> extraTopics() {
        return List.of(REPLY_TOPIC);
    }

    @Override
    protected Map<String, String> serviceProperties() {
        return Map.of(
                "moe.expert.experts", SERVED,
                // small batches and a generous wait, so that one window spans several kernel calls
                "moe.expert.max-batch-rows", "8",
                "moe.expert.max-wait", "50ms");
    }
}
