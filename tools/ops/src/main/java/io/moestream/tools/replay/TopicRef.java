package io.moestream.tools.replay;

import io.moestream.core.placement.ExpertId;
import io.moestream.core.topics.Topics;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pipeline topic named by its role, so that its name on the source and on the target both come from
 * {@link Topics}: {@code tokens} or {@code L{layer}.e{expert}} (an expert's task topic).
 */
public sealed interface TopicRef {
    Pattern EXPERT = Pattern.compile("L(\\d+)\\.e(\\d+)");

    /** The topic's name in the pipeline named by {@code topics}. */
    String name(Topics topics);

    record Tokens() implements TopicRef {
        @Override
        public String name(Topics topics) {
            return topics.tokens();
        }

        @Override
        public String toString() {
            return "tokens";
        }
    }

    record Expert(int layer, int expert) implements TopicRef {
        @Override
        public String name(Topics topics) {
            return topics.expert(layer, expert);
        }

        @Override
        public String toString() {
            return new ExpertId(layer, expert).name();
        }
    }

    /** Parses {@code tokens} or {@code L0.e3}. */
    static TopicRef parse(String text) {
        if (text.equals("tokens")) {
            return new Tokens();
        }
        Matcher m = EXPERT.matcher(text);
        if (m.matches()) {
            return new Expert(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        throw new IllegalArgumentException("unknown topic '" + text + "': use tokens or L{layer}.e{expert}, e.g. L0.e3");
    }
}
