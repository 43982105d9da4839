package io.moestream.gateway.reassembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moestream.core.reassembly.ChunkKey;
import io.moestream.core.reassembly.ExpiredChunk;
import io.moestream.core.reassembly.Reassembler;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.gateway.metrics.GatewayMetrics;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyDispatcherTest {

    @Test
    void shouldCountTheRoutersDroppedAssignmentsOncePerChunkAndCompleteAChunkLeftWithNoExpert() {
        // given a pending chunk of 3 rows
        GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
        Reassembler<ChunkOwner> reassembler = new Reassembler<>(2);
        ReplyDispatcher dispatcher = new ReplyDispatcher(reassembler, 2, 16, metrics);
        List<Matrix> completed = new ArrayList<>();
        ChunkOwner owner = new ChunkOwner() {
            @Override
            public void chunkCompleted(ChunkKey key, Matrix output) {
                completed.add(output);
            }

            @Override
            public void chunkExpired(ExpiredChunk<ChunkOwner> expired) {
                throw new AssertionError("no chunk should expire");
            }

            @Override
            public void chunkFailed(ChunkKey key, String reason) {
                throw new AssertionError("no chunk should fail");
            }
        };
        reassembler.expect(new ChunkKey("r", 0, 0), 3, Long.MAX_VALUE, owner);
        // a manifest whose every assignment was dropped: no expert to await
        Reply manifest = Reply.newBuilder().setManifest(RouteManifest.newBuilder().setRequestId("r").setSeq(0).setLayer(0)
                .setRows(3).setRequestedAssignments(6).setDroppedAssignments(6)).build();

        // when it arrives twice (a second router routed the chunk again)
        dispatcher.onReply(manifest);
        dispatcher.onReply(manifest);

        // then the drops count once, and the chunk completes with output 0
        assertThat(metrics.assignmentsDropped()).isEqualTo(6);
        assertThat(completed).containsExactly(Matrix.zeros(3, 2));
    }

    @Test
    void shouldFailAPendingChunkAtOnceWhenAnExpertsOutputIsNotFinite() {
        // given a pending chunk of 1 row
        Reassembler<ChunkOwner> reassembler = new Reassembler<>(2);
        ReplyDispatcher dispatcher = new ReplyDispatcher(reassembler, 2, 16, new GatewayMetrics(new SimpleMeterRegistry()));
        List<String> failures = new ArrayList<>();
        ChunkOwner owner = new ChunkOwner() {
            @Override
            public void chunkCompleted(ChunkKey key, Matrix output) {
                throw new AssertionError("the chunk cannot complete");
            }

            @Override
            public void chunkExpired(ExpiredChunk<ChunkOwner> expired) {
                throw new AssertionError("the chunk must not be left to expire");
            }

            @Override
            public void chunkFailed(ChunkKey key, String reason) {
                failures.add(reason);
            }
        };
        reassembler.expect(new ChunkKey("r", 0, 0), 1, Long.MAX_VALUE, owner);

        // when expert 3's result overflowed (inputs too large for the layer)
        dispatcher.onReply(Reply.newBuilder().setResult(ExpertResult.newBuilder().setRequestId("r").setSeq(0).setLayer(0)
                .setExpert(3).addRowIndex(0)
                .setWeighted(TensorMessages.toProto(new Matrix(1, 2, new float[] {1f, Float.POSITIVE_INFINITY}), DType.FP32)))
                .build());

        // then the chunk fails now, naming the expert and the value, and is no longer pending
        assertThat(failures).singleElement().asString().contains("expert L0.e3 is not finite", "row 0 column 1 is Infinity");
        assertThat(reassembler.size()).isZero();
    }
}
