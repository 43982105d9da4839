package io.moestream.gateway.runtime;

import io.moestream.core.topics.Topics;

/** This instance's id and the topic names it uses. */
public record GatewayIdentity(String instanceId, Topics topics) {

    public String replyTopic() {
        return topics.replies(instanceId);
    }
}
