package io.moestream.tools.replay;

import io.moestream.core.tensor.ErrorStats;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The outcome of {@code --diff}: what was compared, the largest errors, and the experts whose results differ. */
record DiffReport(double tolerance, int chunksCompared, int chunksWithoutShadow, int chunksWithoutOriginal,
                  ErrorStats chunkError, int resultsCompared, ErrorStats resultError, List<ExpertDiff> experts) {

    List<ExpertDiff> differingExperts() {
        return experts.stream().filter(ExpertDiff::differs).toList();
    }

    /** True when every chunk was answered by the shadow and nothing differs beyond the tolerance. */
    boolean matches() {
        return chunksWithoutShadow == 0 && differingExperts().isEmpty() && chunkError.maxRelError() <= tolerance;
    }

    String format() {
        String differing = differingExperts().isEmpty() ? "none" : differingExperts().stream()
                .map(e -> String.format("%s (%d of %d results differ, %d unmatched, max rel error %.3e)", e.expert(),
                        e.differing(), e.compared(), e.unmatched(), e.maxRelError()))
                .collect(Collectors.joining("; "));
        return String.format("""
                diff: %d chunks compared (%d not answered by the shadow, %d without a recorded original)
                  chunk outputs:  max abs error %.3e, max rel error %.3e
                  expert results: %d compared, max abs error %.3e, max rel error %.3e
                  experts that differ (rel error above %.0e): %s
                %s%n""", chunksCompared, chunksWithoutShadow, chunksWithoutOriginal,
                chunkError.maxAbsError(), chunkError.maxRelError(), resultsCompared, resultError.maxAbsError(),
                resultError.maxRelError(), tolerance, differing, matches() ? "MATCH" : "DIFFERENT");
    }

    /** Accumulates the comparisons. */
    static final class Builder {
        private final double tolerance;
        private int chunks;
        private int withoutShadow;
        private int withoutOriginal;
        private double chunkAbs;
        private double chunkRel;
        private int results;
        private double resultAbs;
        private double resultRel;

        Builder(double tolerance) {
            this.tolerance = tolerance;
        }

        void chunk(ErrorStats e) {
            chunks++;
            chunkAbs = Math.max(chunkAbs, e.maxAbsError());
            chunkRel = Math.max(chunkRel, e.maxRelError());
        }

        void chunkWithoutShadow() {
            withoutShadow++;
        }

        void chunkWithoutOriginal() {
            withoutOriginal++;
        }

        void result(ErrorStats e) {
            results++;
            resultAbs = Math.max(resultAbs, e.maxAbsError());
            resultRel = Math.max(resultRel, e.maxRelError());
        }

        DiffReport build(Map<String, ExpertDiff> experts) {
            return new DiffReport(tolerance, chunks, withoutShadow, withoutOriginal, new ErrorStats(chunkAbs, chunkRel),
                    results, new ErrorStats(resultAbs, resultRel), List.copyOf(experts.values()));
        }
    }
}
