package io.moestream.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.moestream.core.reassembly.ChunkKey;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplyDiffTest {
    static final ChunkKey CHUNK = new ChunkKey("req", 3, 0);
    static final ExpectedReplies EXPECTED = new ExpectedReplies(Set.of(CHUNK), Set.of());

    @Test
    void shouldMatchIdenticalAnswersInAnyOrder() {
        // given the same manifest and results, the shadow's arriving results first
        ReplyBook original = book(manifest(), result(0, 1f), result(1, 2f));
        ReplyBook shadow = book(result(1, 2f), result(0, 1f), manifest());

        DiffReport report = ReplyDiff.compare(original, shadow, EXPECTED, 1e-5);

        assertThat(report.matches()).isTrue();
        assertThat(report.chunksCompared()).isEqualTo(1);
        assertThat(report.resultsCompared()).isEqualTo(2);
        assertThat(report.chunkError().maxAbsError()).isZero();
    }

    @Test
    void shouldNameTheExpertWhoseResultsDiffer() {
        ReplyBook original = book(manifest(), result(0, 1f), result(1, 2f));
        ReplyBook shadow = book(manifest(), result(0, 1f), result(1, 2.5f));

        DiffReport report = ReplyDiff.compare(original, shadow, EXPECTED, 1e-5);

        assertThat(report.matches()).isFalse();
        assertThat(report.differingExperts()).extracting(ExpertDiff::expert).containsExactly("L0.e1");
        // chunk row 1 is 1 + 2 before and 1 + 2.5 after
        assertThat(report.chunkError().maxAbsError()).isEqualTo(0.5, offset(1e-6));
        assertThat(report.format()).contains("L0.e1 (1 of 1 results differ").contains("DIFFERENT");
    }

    @Test
    void shouldCountAChunkTheShadowDidNotFinish() {
        ReplyBook original = book(manifest(), result(0, 1f), result(1, 2f));
        ReplyBook shadow = book(manifest(), result(0, 1f));

        DiffReport report = ReplyDiff.compare(original, shadow, EXPECTED, 1e-5);

        assertThat(report.chunksWithoutShadow()).isEqualTo(1);
        assertThat(report.differingExperts()).extracting(ExpertDiff::expert).containsExactly("L0.e1");
        assertThat(report.matches()).isFalse();
    }

    private static ReplyBook book(Reply... replies) {
        ReplyBook book = new ReplyBook();
        List.of(replies).forEach(r -> book.add(r.toByteArray()));
        return book;
    }

    private static Reply manifest() {
        return Reply.newBuilder().setManifest(RouteManifest.newBuilder().setRequestId(CHUNK.requestId())
                .setSeq(CHUNK.seq()).setLayer(CHUNK.layer()).setRows(2).addExperts(0).addExperts(1)).build();
    }

    /** Expert {@code expert}'s weighted rows for chunk rows 0 and 1, every value {@code value}. */
    private static Reply result(int expert, float value) {
        Matrix weighted = new Matrix(2, 3, new float[] {value, value, value, value, value, value});
        return Reply.newBuilder().setResult(ExpertResult.newBuilder().setRequestId(CHUNK.requestId())
                .setSeq(CHUNK.seq()).setLayer(CHUNK.layer()).setExpert(expert).addRowIndex(0).addRowIndex(1)
                .setWeighted(TensorMessages.toProto(weighted, DType.FP32))).build();
    }
}
