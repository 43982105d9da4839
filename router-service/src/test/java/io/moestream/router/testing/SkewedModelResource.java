package io.moestream.router.testing;

import io.moestream.core.model.ModelGenerator.GateSkew;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.KafkaModelResource;
import java.util.List;
import java.util.Map;

/** A real broker and a skewed model (expert 3's gate row scaled up 8x); 1 s load windows, alert after 2. */
public class SkewedModelResource extends KafkaModelResource {
    /** One MoE layer, 16 experts, top-2. */
    public static final ModelSpec SPEC = new ModelSpec(1, 16, 2, 32, 8, 7L);
    public static final int HOT = 3;
    public static final String REPLY_TOPIC = Topics.DEFAULT.replies("it");

    @Override
    protected ModelSpec spec() {
        return SPEC;
    }

    @Override
    protected GateSkew gateSkew() {
        return new GateSkew(HOT, 8f);
    }

    @Override
    protected List<String> extraTopics() {
        return List.of(REPLY_TOPIC);
    }

    @Override
    protected Map<String, String> serviceProperties() {
        return Map.of("moe.load.window", "1s", "moe.load.alert-windows", "2");
    }
}
