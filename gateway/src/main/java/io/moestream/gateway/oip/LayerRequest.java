package io.moestream.gateway.oip;

import io.moestream.proto.oip.InferParameter;
import java.util.List;
import java.util.Map;

/**
 * A ModelInfer request that passed every check.
 *
 * @param modelName  the model as the client named it, echoed in the response
 * @param id         the client's request id (may be empty), echoed in the response
 * @param parameters the request's parameters, passed through to the response
 * @param outputs    the outputs to return, in the order the client asked for them
 */
record LayerRequest(String modelName, int layer, String id, Map<String, InferParameter> parameters,
                    HiddenStates hidden, List<RequestedOutput> outputs) {
}
