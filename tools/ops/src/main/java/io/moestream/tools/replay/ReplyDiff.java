package io.moestream.tools.replay;

import io.moestream.core.reassembly.ChunkKey;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.ExpertResult;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares the shadow's answers with the recorded originals: each replayed chunk's reassembled layer output, and
 * each expert's result, so that a difference is pinned to the expert that made it.
 */
final class ReplyDiff {
    private ReplyDiff() {
    }

    static DiffReport compare(ReplyBook original, ReplyBook shadow, ExpectedReplies expected, double tolerance) {
        DiffReport.Builder report = new DiffReport.Builder(tolerance);
        for (ChunkKey chunk : expected.chunks()) {
            Optional<Matrix> before = original.chunkOutput(chunk);
            Optional<Matrix> after = shadow.chunkOutput(chunk);
            if (before.isEmpty()) {
                report.chunkWithoutOriginal();
            } else if (after.isEmpty()) {
                report.chunkWithoutShadow();
            } else {
                report.chunk(ErrorStats.compare(after.get(), before.get()));
            }
        }
        Map<String, ExpertDiff> experts = new TreeMap<>();
        for (ExpertKey key : expertKeys(original, shadow, expected)) {
            ExpertDiff diff = compare(key, original.result(key), shadow.result(key), tolerance, report);
            experts.merge(diff.expert(), diff, ExpertDiff::plus);
        }
        return report.build(experts);
    }

    private static ExpertDiff compare(ExpertKey key, Optional<ExpertResult> before, Optional<ExpertResult> after,
                                      double tolerance, DiffReport.Builder report) {
        String name = key.expertName();
        if (before.isEmpty() || after.isEmpty()
                || !before.get().getRowIndexList().equals(after.get().getRowIndexList())) {
            return new ExpertDiff(name, 0, 0, 1, 0);
        }
        Optional<Matrix> x = ReplyBook.decode(before.get().getWeighted());
        Optional<Matrix> y = ReplyBook.decode(after.get().getWeighted());
        if (x.isEmpty() || y.isEmpty() || x.get().cols() != y.get().cols()) {
            return new ExpertDiff(name, 0, 0, 1, 0);
        }
        ErrorStats error = ErrorStats.compare(y.get(), x.get());
        report.result(error);
        return new ExpertDiff(name, 1, error.maxRelError() > tolerance ? 1 : 0, 0, error.maxRelError());
    }

    /** The expert parts of the replayed chunks found on either side, and the replayed tasks. */
    private static Set<ExpertKey> expertKeys(ReplyBook original, ReplyBook shadow, ExpectedReplies expected) {
        Set<ExpertKey> keys = new HashSet<>(expected.tasks());
        for (ReplyBook book : new ReplyBook[] {original, shadow}) {
            book.results().keySet().stream().filter(k -> expected.chunks().contains(k.chunk())).forEach(keys::add);
        }
        return keys;
    }
}
