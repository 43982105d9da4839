package io.moestream.gateway.validation;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The request ids with an open stream on this gateway: replies are matched by request id, so two streams may not share one. */
public final class ActiveRequests {
    private final Set<String> active = ConcurrentHashMap.newKeySet();

    /** Takes {@code requestId} for one stream; false when another stream holds it. */
    public boolean claim(String requestId) {
        return active.add(requestId);
    }

    public void release(String requestId) {
        active.remove(requestId);
    }
}
