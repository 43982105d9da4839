package io.moestream.tools.tail;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.moestream.core.topics.OperatorJson;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.LoadAlert;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.Tensor;
import io.moestream.proto.v1.TokenChunk;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordLineTest {
    private static final Topics TOPICS = Topics.DEFAULT;

    private static Tensor tensor(int rows, int cols, DType dtype, int bytesPerValue) {
        return Tensor.newBuilder().setRows(rows).setCols(cols).setDtype(dtype)
                .setData(ByteString.copyFrom(new byte[rows * cols * bytesPerValue])).build();
    }

    private static ConsumerRecord<String, byte[]> record(String topic, byte[] value, String... headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            recordHeaders.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>(topic, 0, 17, 1_795_454_082_000L, TimestampType.CREATE_TIME, 0, value.length,
                "req~1f", value, recordHeaders, Optional.empty());
    }

    @Test
    void shouldShowATokenChunksIdsShapeAndHeadersButNoValues() {
        byte[] chunk = TokenChunk.newBuilder().setRequestId("req~1f").setSeq(3).setLayer(1)
                .setHidden(tensor(128, 64, DType.FP32, 4)).build().toByteArray();

        String line = RecordLine.of(TOPICS, record("moe.tokens", chunk, Topics.REPLY_TO_HEADER, "moe.replies.gw-a"));

        assertThat(line).isEqualTo("moe.tokens[0]@17 2026-11-23T17:14:42Z key=req~1f TokenChunk{request_id=req~1f seq=3"
                + " layer=1 hidden=[128 x 64 FP32, 32768 bytes]} headers{moe-reply-to=moe.replies.gw-a}");
    }

    @Test
    void shouldShowAnExpertTasksExpertRowsAndDtype() {
        ExpertTask.Builder task = ExpertTask.newBuilder().setRequestId("req~1f").setSeq(3).setLayer(0).setExpert(5)
                .setGateWeights(ByteString.copyFrom(new byte[4 * 20])).setRows(tensor(20, 64, DType.BF16, 2));
        IntStream.range(0, 20).forEach(i -> task.addRowIndex(i * 6));

        String line = RecordLine.of(TOPICS, record("moe.L0.e5", task.build().toByteArray()));

        assertThat(line).contains("ExpertTask{request_id=req~1f seq=3 layer=0 expert=5 rows=20 [0, 6, .., 114]"
                + " gate_weights=20 x FP32 [20 x 64 BF16, 2560 bytes] gate_weight_target=GATE_WEIGHTS_ON_OUTPUT}");
    }

    @Test
    void shouldTellAManifestFromAResultOnAReplyTopic() {
        byte[] manifest = Reply.newBuilder().setManifest(RouteManifest.newBuilder().setRequestId("req~1f").setSeq(3)
                .setRows(4).addExperts(1).addExperts(5).setRequestedAssignments(8)).build().toByteArray();
        byte[] result = Reply.newBuilder().setResult(ExpertResult.newBuilder().setRequestId("req~1f").setSeq(3)
                .setExpert(5).addRowIndex(0).addRowIndex(2).setWeighted(tensor(2, 64, DType.FP32, 4))).build().toByteArray();

        assertThat(RecordLine.of(TOPICS, record("moe.replies.gw-a", manifest))).contains("RouteManifest{request_id=req~1f"
                + " seq=3 layer=0 rows=4 experts=[1, 5] assignments requested=8 skipped=0 dropped=0 rerouted=0}");
        assertThat(RecordLine.of(TOPICS, record("moe.replies.gw-a", result)))
                .contains("ExpertResult{request_id=req~1f seq=3 layer=0 expert=5 rows=2 [0, 2] weighted=[2 x 64 FP32, 512 bytes]}");
    }

    @Test
    void shouldShowOperatorJsonAsItIsAndADeadLetterBySizeAndReason() {
        LoadAlert alert = LoadAlert.newBuilder().setKind(LoadAlert.Kind.IMBALANCE).setMessage("layer 0: ...").build();

        assertThat(RecordLine.of(TOPICS, record("moe.alerts", OperatorJson.encode(alert))))
                .contains("key=req~1f " + OperatorJson.text(alert));
        assertThat(RecordLine.of(TOPICS, record("moe.dlq", new byte[12], Topics.DLQ_REASON_HEADER, "bad dtype")))
                .endsWith("12 bytes headers{moe-dlq-reason=bad dtype}");
    }

    @Test
    void shouldSayWhenARecordDoesNotDecodeAsItsTopicsSchema() {
        String line = RecordLine.of(TOPICS, record("moe.tokens", new byte[] {(byte) 0xff, 1, 2}));

        assertThat(line).contains("undecodable (").endsWith("), 3 bytes");
    }
}
