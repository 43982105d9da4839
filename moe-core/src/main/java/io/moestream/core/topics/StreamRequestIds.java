package io.moestream.core.topics;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id a gateway writes on the topics for one client stream: the client's request id, {@code ~} and a
 * random 64-bit suffix in hex. Replies are matched by it, so a late reply to an earlier stream with the same client
 * id, or to a gateway instance before its restart under the same instance id, never lands in another stream.
 */
public final class StreamRequestIds {
    private static final char SEPARATOR = '~';

    private StreamRequestIds() {
    }

    /** A fresh topic request id for one stream of {@code clientRequestId}. */
    public static String newFor(String clientRequestId) {
        return clientRequestId + SEPARATOR + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** The client's request id inside a topic request id (the id itself when it has no suffix). */
    public static String clientPart(String topicRequestId) {
        int suffix = topicRequestId.lastIndexOf(SEPARATOR);
        return suffix < 0 ? topicRequestId : topicRequestId.substring(0, suffix);
    }
}
