package io.moestream.tools.replay;

/**
 * How one expert's shadow results compare with its recorded ones.
 *
 * @param compared    results present on both sides with the same rows
 * @param differing   of those, the ones whose relative error is above the tolerance
 * @param unmatched   results on one side only, with other rows, or unreadable (a routing change or a broken expert)
 * @param maxRelError the largest relative error of the compared results
 */
record ExpertDiff(String expert, int compared, int differing, int unmatched, double maxRelError) {

    boolean differs() {
        return differing > 0 || unmatched > 0;
    }

    ExpertDiff plus(ExpertDiff other) {
        return new ExpertDiff(expert, compared + other.compared, differing + other.differing,
                unmatched + other.unmatched, Math.max(maxRelError, other.maxRelError));
    }
}
