package io.moestream.core.reassembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.tensor.Matrix;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ReassemblerTest {
    private static final int D_MODEL = 3;
    private static final ChunkKey CHUNK = new ChunkKey("req-1", 7, 0);
    private static final long DEADLINE = 1_000;

    private final Reassembler<String> reassembler = new Reassembler<>(D_MODEL);

    /** Two rows, each {@code [v, v+1, v+2]}. */
    private static Matrix rows(float first, float second) {
        return new Matrix(2, D_MODEL, new float[] {first, first + 1, first + 2, second, second + 1, second + 2});
    }

    @Test
    void shouldCompleteWhenManifestArrivesBeforeResults() {
        // given a chunk of 3 rows routed to experts 1 and 4
        reassembler.expect(CHUNK, 3, DEADLINE, "owner");
        assertThat(reassembler.onManifest(CHUNK, 3, new int[] {1, 4})).isInstanceOf(ReplyOutcome.Accepted.class);

        // when both experts answer, one for rows 0 and 2, the other for rows 0 and 1
        ReplyOutcome<String> first = reassembler.onResult(CHUNK, 1, new int[] {0, 2}, rows(10, 20));
        ReplyOutcome<String> last = reassembler.onResult(CHUNK, 4, new int[] {0, 1}, rows(100, 200));

        // then the chunk completes only with the last one, with the rows summed where they overlap
        assertThat(first).isInstanceOf(ReplyOutcome.Accepted.class);
        ReplyOutcome.Completed<String> done = (ReplyOutcome.Completed<String>) last;
        assertThat(done.key()).isEqualTo(CHUNK);
        assertThat(done.owner()).isEqualTo("owner");
        assertThat(done.output().data()).containsExactly(
                110, 112, 114,
                200, 201, 202,
                20, 21, 22);
        assertThat(reassembler.size()).isZero();
    }

    @Test
    void shouldCompleteWhenManifestArrivesAfterResults() {
        // given both expert results already in
        reassembler.expect(CHUNK, 2, DEADLINE, "owner");
        assertThat(reassembler.onResult(CHUNK, 0, new int[] {0, 1}, rows(1, 2))).isInstanceOf(ReplyOutcome.Accepted.class);
        assertThat(reassembler.onResult(CHUNK, 3, new int[] {1}, new Matrix(1, D_MODEL, new float[] {5, 5, 5})))
                .isInstanceOf(ReplyOutcome.Accepted.class);

        // when the manifest arrives
        ReplyOutcome<String> outcome = reassembler.onManifest(CHUNK, 2, new int[] {0, 3});

        // then the chunk is complete
        assertThat(((ReplyOutcome.Completed<String>) outcome).output().data()).containsExactly(1, 2, 3, 7, 8, 9);
    }

    @Test
    void shouldIgnoreDuplicateResultAndKeepOutputUnchanged() {
        // given a chunk waiting for experts 2 and 5, with expert 2 answered
        reassembler.expect(CHUNK, 2, DEADLINE, "owner");
        reassembler.onManifest(CHUNK, 2, new int[] {2, 5});
        reassembler.onResult(CHUNK, 2, new int[] {0, 1}, rows(1, 2));

        // when expert 2's result is delivered again, then expert 5 answers
        ReplyOutcome<String> duplicate = reassembler.onResult(CHUNK, 2, new int[] {0, 1}, rows(1, 2));
        ReplyOutcome<String> last = reassembler.onResult(CHUNK, 5, new int[] {1}, new Matrix(1, D_MODEL, new float[] {1, 1, 1}));

        // then the duplicate is ignored and counted once in the output
        assertThat(duplicate).isInstanceOf(ReplyOutcome.Ignored.class);
        assertThat(((ReplyOutcome.Ignored<String>) duplicate).reason()).isEqualTo(IgnoreReason.DUPLICATE);
        assertThat(((ReplyOutcome.Completed<String>) last).output().data()).containsExactly(1, 2, 3, 3, 4, 5);
    }

    @Test
    void shouldNotCompleteWhileAnExpertOfTheManifestIsMissing() {
        reassembler.expect(CHUNK, 2, DEADLINE, "owner");
        reassembler.onManifest(CHUNK, 2, new int[] {0, 1, 2});

        assertThat(reassembler.onResult(CHUNK, 0, new int[] {0}, new Matrix(1, D_MODEL, new float[3])))
                .isInstanceOf(ReplyOutcome.Accepted.class);
        assertThat(reassembler.onResult(CHUNK, 2, new int[] {1}, new Matrix(1, D_MODEL, new float[3])))
                .isInstanceOf(ReplyOutcome.Accepted.class);
        assertThat(reassembler.size()).isEqualTo(1);
    }

    @Test
    void shouldNotCompleteOnResultsAloneWithoutManifest() {
        reassembler.expect(CHUNK, 2, DEADLINE, "owner");

        assertThat(reassembler.onResult(CHUNK, 0, new int[] {0, 1}, rows(1, 2))).isInstanceOf(ReplyOutcome.Accepted.class);
        assertThat(reassembler.size()).isEqualTo(1);
    }

    @Test
    void shouldCompleteAtOnceOnManifestWithoutExperts() {
        reassembler.expect(CHUNK, 2, DEADLINE, "owner");

        ReplyOutcome<String> outcome = reassembler.onManifest(CHUNK, 2, new int[0]);

        assertThat(((ReplyOutcome.Completed<String>) outcome).output()).isEqualTo(Matrix.zeros(2, D_MODEL));
    }

    @Test
    void shouldIgnoreRepliesForUnknownOrFinishedChunks() {
        // given a chunk that completed
        reassembler.expect(CHUNK, 1, DEADLINE, "owner");
        reassembler.onManifest(CHUNK, 1, new int[] {0});
        reassembler.onResult(CHUNK, 0, new int[] {0}, new Matrix(1, D_MODEL, new float[3]));

        // when replies arrive for it and for a chunk never sent
        ChunkKey neverSent = new ChunkKey("req-1", 8, 0);
        List<ReplyOutcome<String>> outcomes = List.of(
                reassembler.onResult(CHUNK, 0, new int[] {0}, new Matrix(1, D_MODEL, new float[3])),
                reassembler.onManifest(neverSent, 1, new int[] {0}),
                reassembler.onResult(neverSent, 0, new int[] {0}, new Matrix(1, D_MODEL, new float[3])));

        // then all are ignored as unknown chunks
        assertThat(outcomes).allSatisfy(o -> assertThat(((ReplyOutcome.Ignored<String>) o).reason())
                .isEqualTo(IgnoreReason.UNKNOWN_CHUNK));
    }

    @Test
    void shouldIgnoreRepliesForDroppedChunks() {
        reassembler.expect(CHUNK, 1, DEADLINE, "owner");
        reassembler.drop(List.of(CHUNK));

        ReplyOutcome<String> outcome = reassembler.onManifest(CHUNK, 1, new int[] {0});

        assertThat(((ReplyOutcome.Ignored<String>) outcome).reason()).isEqualTo(IgnoreReason.UNKNOWN_CHUNK);
        assertThat(reassembler.size()).isZero();
    }

    @Test
    void shouldRejectResultsThatContradictTheChunk() {
        reassembler.expect(CHUNK, 2, DEADLINE, "owner");
        reassembler.onManifest(CHUNK, 2, new int[] {0});

        List<ReplyOutcome<String>> outcomes = List.of(
                reassembler.onResult(CHUNK, 0, new int[] {2}, new Matrix(1, D_MODEL, new float[3])),
                reassembler.onResult(CHUNK, 0, new int[] {0, 1}, new Matrix(1, D_MODEL, new float[3])),
                reassembler.onResult(CHUNK, 6, new int[] {0}, new Matrix(1, D_MODEL, new float[3])),
                reassembler.onManifest(new ChunkKey("req-1", 7, 0), 5, new int[] {0}));

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(ReplyOutcome.Ignored.class));
        assertThat(reassembler.size()).isEqualTo(1);
    }

    @Test
    void shouldReportExpiredChunksWithTheirMissingExperts() {
        // given one chunk missing expert 3, one without manifest, one with a later deadline
        ChunkKey noManifest = new ChunkKey("req-2", 1, 0);
        ChunkKey later = new ChunkKey("req-3", 1, 0);
        reassembler.expect(CHUNK, 1, 100, "a");
        reassembler.onManifest(CHUNK, 1, new int[] {1, 3});
        reassembler.onResult(CHUNK, 1, new int[] {0}, new Matrix(1, D_MODEL, new float[3]));
        reassembler.expect(noManifest, 1, 100, "b");
        reassembler.expect(later, 1, 500, "c");

        // when the clock passes the first two deadlines
        List<ExpiredChunk<String>> expired = reassembler.expire(100);

        // then those two are reported and removed, the third stays
        assertThat(expired).containsExactlyInAnyOrder(
                new ExpiredChunk<>(CHUNK, "a", Optional.of(new TreeSet<>(Set.of(3)))),
                new ExpiredChunk<>(noManifest, "b", Optional.empty()));
        assertThat(reassembler.size()).isEqualTo(1);
        assertThat(reassembler.onResult(CHUNK, 3, new int[] {0}, new Matrix(1, D_MODEL, new float[3])))
                .isInstanceOf(ReplyOutcome.Ignored.class);
        assertThat(reassembler.expire(499)).isEmpty();
    }

    @Test
    void shouldPostponeOnlyPendingChunksAndNeverBringADeadlineForward() {
        // given two chunks due at 100 and one due at 900
        ChunkKey second = new ChunkKey("req-1", 2, 0);
        ChunkKey far = new ChunkKey("req-1", 3, 0);
        reassembler.expect(CHUNK, 1, 100, "a");
        reassembler.expect(second, 1, 100, "a");
        reassembler.expect(far, 1, 900, "a");

        // when the stream made progress: the first and the far one are postponed to 500, and an unknown key too
        reassembler.postpone(List.of(CHUNK, far, new ChunkKey("req-9", 0, 0)), 500);

        // then only the chunk not postponed expires at 100, the first at 500, and the far one keeps its 900
        assertThat(reassembler.expire(100)).extracting(ExpiredChunk::key).containsExactly(second);
        assertThat(reassembler.expire(499)).isEmpty();
        assertThat(reassembler.expire(500)).extracting(ExpiredChunk::key).containsExactly(CHUNK);
        assertThat(reassembler.expire(899)).isEmpty();
        assertThat(reassembler.expire(900)).extracting(ExpiredChunk::key).containsExactly(far);
    }
}
