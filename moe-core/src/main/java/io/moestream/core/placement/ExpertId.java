package io.moestream.core.placement;

/** One served expert of one MoE layer; printed as in placement plans and {@code moe.expert.experts}: {@code layer:expert}. */
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
