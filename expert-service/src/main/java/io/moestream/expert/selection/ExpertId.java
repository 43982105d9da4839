package io.moestream.expert.selection;

/** One expert of one MoE layer; printed as in {@code moe.expert.experts}: {@code layer:expert}. */
public record ExpertId(int layer, int expert) implements Comparable<ExpertId> {

    @Override
    public int compareTo(ExpertId other) {
        return layer != other.layer ? Integer.compare(layer, other.layer) : Integer.compare(expert, other.expert);
    }

    @Override
    public String toString() {
        return layer + ":" + expert;
    }
}
