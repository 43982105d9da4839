package io.moestream.core.placement;

/**
 * One served expert of one MoE layer; printed as in placement plans and {@code moe.expert.experts}: {@code layer:expert}.
 * Messages, alerts and the tools name it as its task topic does: {@link #name()}, {@code L{layer}.e{expert}}.
 */
public record ExpertId(int layer, int expert) implements Comparable<ExpertId> {

    /** The expert as its topic, the gateway's errors, the alerts and the replay tool name it: {@code L{layer}.e{expert}}. */
    public String name() {
        return "L" + layer + ".e" + expert;
    }

    @Override
    public int compareTo(ExpertId other) {
        return layer != other.layer ? Integer.compare(layer, other.layer) : Integer.compare(expert, other.expert);
    }

    @Override
    public String toString() {
        return layer + ":" + expert;
    }
}
