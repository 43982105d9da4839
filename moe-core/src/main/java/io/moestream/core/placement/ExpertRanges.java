package io.moestream.core.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compact text form of a set of experts, used by placement plans and {@code moe.expert.experts}: comma-separated
 * {@code layer:expert} or {@code layer:first-last} (inclusive), e.g. {@code 0:0-63,1:5}. A model with 15,000 experts
 * fits in a few lines this way.
 */
public final class ExpertRanges {
    private static final Pattern ENTRY = Pattern.compile("(\\d{1,9})\\s*:\\s*(\\d{1,9})(?:\\s*-\\s*(\\d{1,9}))?");

    private ExpertRanges() {
    }

    /**
     * The experts of {@code spec}, ascending, without duplicates; only the syntax is checked here.
     *
     * @throws IllegalArgumentException naming the entry that is malformed
     */
    public static SortedSet<ExpertId> parse(String spec) {
        SortedSet<ExpertId> experts = new TreeSet<>();
        for (String entry : spec.split(",")) {
            Matcher matcher = ENTRY.matcher(entry.trim());
            if (!matcher.matches()) {
                throw new IllegalArgumentException("'" + entry.trim()
                        + "' is not layer:expert or layer:first-last (e.g. 0:3 or 0:0-63)");
            }
            int layer = Integer.parseInt(matcher.group(1));
            int first = Integer.parseInt(matcher.group(2));
            int last = matcher.group(3) == null ? first : Integer.parseInt(matcher.group(3));
            if (last < first) {
                throw new IllegalArgumentException("'" + entry.trim() + "' is an empty range (" + last + " < " + first + ")");
            }
            for (int expert = first; expert <= last; expert++) {
                experts.add(new ExpertId(layer, expert));
            }
        }
        return experts;
    }

    /** The shortest text form of {@code experts}: consecutive experts of a layer become one range. */
    public static String format(Collection<ExpertId> experts) {
        List<String> parts = new ArrayList<>();
        ExpertId start = null;
        ExpertId previous = null;
        for (ExpertId id : new TreeSet<>(experts)) {
            if (previous != null && id.layer() == previous.layer() && id.expert() == previous.expert() + 1) {
                previous = id;
                continue;
            }
            if (start != null) {
                parts.add(range(start, previous));
            }
            start = id;
            previous = id;
        }
        if (start != null) {
            parts.add(range(start, previous));
        }
        return String.join(",", parts);
    }

    private static String range(ExpertId first, ExpertId last) {
        return first.expert() == last.expert() ? first.toString() : first + "-" + last.expert();
    }
}
