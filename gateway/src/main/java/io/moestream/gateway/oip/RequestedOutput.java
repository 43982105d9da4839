package io.moestream.gateway.oip;

import java.util.Arrays;
import java.util.Optional;

/** The outputs a layer model can return. Only {@link #OUTPUT} comes back when a request names none. */
enum RequestedOutput {
    /** The layer output {@code [rows, d_model]}, in the datatype of {@code hidden_states}. */
    OUTPUT("output"),
    /** The gate scores {@code [rows, n_experts]}, FP32, before the softmax. */
    ROUTER_LOGITS("router_logits"),
    /** The routed experts of each row {@code [rows, top_k]}, INT32, in the order the router chose them (best first). */
    EXPERT_IDS("expert_ids");

    private final String tensorName;

    RequestedOutput(String tensorName) {
        this.tensorName = tensorName;
    }

    String tensorName() {
        return tensorName;
    }

    static Optional<RequestedOutput> named(String name) {
        return Arrays.stream(values()).filter(o -> o.tensorName.equals(name)).findFirst();
    }
}
