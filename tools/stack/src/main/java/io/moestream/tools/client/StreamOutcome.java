package io.moestream.tools.client;

import io.grpc.Status;
import io.moestream.proto.v1.InferResult;
import java.util.List;

/**
 * How one {@code Infer} stream ended: the results received, in order of arrival, and the final status
 * ({@link Status#OK} when the gateway completed the stream). A failed stream still carries the results of
 * the chunks that were answered before the failure.
 */
public record StreamOutcome(List<InferResult> results, Status status) {

    public boolean ok() {
        return status.isOk();
    }
}
