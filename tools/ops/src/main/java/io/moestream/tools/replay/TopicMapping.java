package io.moestream.tools.replay;

import io.moestream.core.topics.Topics;

/** Maps a topic of the source pipeline to the same topic of the target pipeline: the prefix is the only difference. */
record TopicMapping(Topics source, Topics target) {

    String targetOf(String sourceTopic) {
        if (!sourceTopic.startsWith(source.prefix())) {
            throw new IllegalArgumentException("topic '" + sourceTopic + "' is not in the source pipeline (prefix '"
                    + source.prefix() + "'); set --source-prefix");
        }
        return target.prefix() + sourceTopic.substring(source.prefix().length());
    }
}
