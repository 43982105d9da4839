package io.moestream.expert.task;

import static io.moestream.core.testing.TestTensors.gaussian;
import static io.moestream.expert.testing.Tasks.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.tensor.GateWeights;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.Topics;
import io.moestream.core.placement.ExpertId;
import io.moestream.expert.task.DecodeResult.Invalid;
import io.moestream.expert.task.DecodeResult.Valid;
import io.moestream.core.routing.GateWeighting;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.GateWeightTarget;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExpertTaskDecoderTest {
    private static final int D_MODEL = 6;
    private static final String REPLY = "moe.replies.gw";
    private static final ExpertTaskDecoder DECODER = new ExpertTaskDecoder(Topics.DEFAULT, new ExpertId(1, 3), D_MODEL, 8);
    private static final Matrix ROWS = gaussian(3, D_MODEL, 5L);
    private static final float[] WEIGHTS = {0.5f, 0.25f, 1f};

    @Test
    void shouldDecodeAValidTask() {
        // given
        byte[] value = task("req", 1, 3, ROWS, WEIGHTS).setSeq(9).clearRowIndex().addRowIndex(0).addRowIndex(4)
                .addRowIndex(7).build().toByteArray();

        // when
        DecodeResult result = DECODER.decode(value, REPLY);

        // then
        assertThat(result).isInstanceOf(Valid.class);
        DecodedTask task = ((Valid) result).task();
        assertThat(task.requestId()).isEqualTo("req");
        assertThat(task.seq()).isEqualTo(9);
        assertThat(task.layer()).isEqualTo(1);
        assertThat(task.expert()).isEqualTo(3);
        assertThat(task.rowIndex()).containsExactly(0, 4, 7);
        assertThat(task.gateWeights()).containsExactly(WEIGHTS);
        assertThat(task.rows()).isEqualTo(ROWS);
        assertThat(task.replyTo()).isEqualTo(REPLY);
        assertThat(task.weighting()).as("a task without gate_weight_target, as older routers write it")
                .isEqualTo(GateWeighting.OUTPUT);
    }

    @Test
    void shouldDecodeGateWeightsThatApplyToTheInput() {
        byte[] value = valid().setGateWeightTarget(GateWeightTarget.GATE_WEIGHTS_ON_INPUT).build().toByteArray();

        DecodeResult result = DECODER.decode(value, REPLY);

        assertThat(((Valid) result).task().weighting()).isEqualTo(GateWeighting.INPUT);
    }

    static Stream<Arguments> invalidTasks() {
        Matrix withNaN = gaussian(3, D_MODEL, 6L);
        withNaN.data()[D_MODEL + 2] = Float.NaN;
        return Stream.of(
                Arguments.of("garbage", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, REPLY,
                        "undecodable ExpertTask"),
                Arguments.of("tombstone", null, REPLY, "no value"),
                Arguments.of("missing reply-to", valid().build().toByteArray(), null, "missing header moe-reply-to"),
                Arguments.of("reply-to not a reply topic", valid().build().toByteArray(), "moe.L1.e3",
                        "header moe-reply-to is 'moe.L1.e3', not a reply topic (moe.replies.{gateway})"),
                Arguments.of("wrong expert", task("req", 1, 2, ROWS, WEIGHTS).build().toByteArray(), REPLY,
                        "task for expert 1:2 arrived on the topic of expert 1:3"),
                Arguments.of("wrong layer", task("req", 0, 3, ROWS, WEIGHTS).build().toByteArray(), REPLY,
                        "task for expert 0:3"),
                Arguments.of("no request id", valid().setRequestId("").build().toByteArray(), REPLY, "no request_id"),
                Arguments.of("no rows", valid().clearRows().build().toByteArray(), REPLY, "no rows tensor"),
                Arguments.of("wrong d_model", task("req", 1, 3, gaussian(3, 4, 7L), WEIGHTS).build().toByteArray(), REPLY,
                        "d_model is 4"),
                Arguments.of("NaN row", task("req", 1, 3, withNaN, WEIGHTS).build().toByteArray(), REPLY,
                        "row 1 column 2 is NaN"),
                Arguments.of("too many rows", task("req", 1, 3, gaussian(9, D_MODEL, 8L), new float[9]).build().toByteArray(),
                        REPLY, "maximum is 8"),
                Arguments.of("row_index too short", valid().clearRowIndex().addRowIndex(0).addRowIndex(1).build().toByteArray(), REPLY,
                        "row_index has 2 entries for 3 rows"),
                Arguments.of("gate_weights too short", valid().setGateWeights(GateWeights.encode(new float[] {1f, 1f})).build().toByteArray(),
                        REPLY, "gate_weights has 8 bytes, 3 rows need 12"),
                Arguments.of("infinite weight", valid().setGateWeights(GateWeights.encode(new float[] {1f, Float.POSITIVE_INFINITY, 1f}))
                        .build().toByteArray(), REPLY, "gate weight of row 1 is Infinity"),
                Arguments.of("unknown gate weight target", valid().setGateWeightTargetValue(7).build().toByteArray(), REPLY,
                        "gate_weight_target 7 is unknown (0: gate weights on the output, 1: on the input)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTasks")
    void shouldRejectAnInvalidTaskWithAReasonNamingTheProblem(String name, byte[] value, String replyTo, String reason) {
        DecodeResult result = DECODER.decode(value, replyTo);

        assertThat(result).isInstanceOf(Invalid.class);
        assertThat(((Invalid) result).reason()).contains(reason);
    }

    private static ExpertTask.Builder valid() {
        return task("req", 1, 3, ROWS, WEIGHTS);
    }
}
