package io.moestream.gateway.oip;

import static io.moestream.gateway.oip.OipRequests.D_MODEL;
import static io.moestream.gateway.oip.OipRequests.EXPERTS;
import static io.moestream.gateway.oip.OipRequests.TOP_K;
import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.proto.v1.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RouterOutputsTest {
    private final RouterOutputs router = new RouterOutputs(OipRequests.model());
    private final Matrix x = random(5, D_MODEL, 9);

    @Test
    void shouldScoreEveryRowWithTheLayersGate() {
        Map<RequestedOutput, OutputTensor> outputs = router.compute(2, x, EnumSet.of(RequestedOutput.ROUTER_LOGITS));

        OutputTensor logits = outputs.get(RequestedOutput.ROUTER_LOGITS);
        assertThat(outputs).containsOnlyKeys(RequestedOutput.ROUTER_LOGITS);
        assertThat(logits.datatype()).isEqualTo("FP32");
        assertThat(logits.shape()).containsExactly(5L, (long) EXPERTS);
        float[] values = TensorCodec.decode(logits.data().asReadOnlyByteBuffer(), DType.FP32, 5 * EXPERTS);
        Matrix expected = naiveLogits(OipRequests.GATES.get(2));
        for (int i = 0; i < values.length; i++) {
            assertThat(values[i]).as("logit %d", i).isCloseTo(expected.data()[i], within(1e-5f));
        }
    }

    @Test
    void shouldNameEachRowsTopKExpertsHighestScoreFirst() {
        Map<RequestedOutput, OutputTensor> outputs = router.compute(0, x, EnumSet.of(RequestedOutput.EXPERT_IDS));

        OutputTensor ids = outputs.get(RequestedOutput.EXPERT_IDS);
        assertThat(ids.datatype()).isEqualTo("INT32");
        assertThat(ids.shape()).containsExactly(5L, (long) TOP_K);
        ByteBuffer bytes = ids.data().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        Matrix logits = naiveLogits(OipRequests.GATES.get(0));
        for (int row = 0; row < x.rows(); row++) {
            int r = row;
            // softmax keeps the order of the logits, so the top-k by logit are the top-k by gate weight
            List<Integer> expected = IntStream.range(0, EXPERTS).boxed()
                    .sorted(Comparator.comparingDouble((Integer e) -> -logits.get(r, e)))
                    .limit(TOP_K).toList();
            assertThat(List.of(bytes.getInt(), bytes.getInt())).as("row %d", row).isEqualTo(expected);
        }
    }

    @Test
    void shouldComputeNothingWhenOnlyTheLayerOutputIsWanted() {
        assertThat(router.compute(0, x, EnumSet.of(RequestedOutput.OUTPUT))).isEmpty();
    }

    /** x · gateᵀ, one dot product at a time. */
    private Matrix naiveLogits(Matrix gate) {
        float[] out = new float[x.rows() * EXPERTS];
        for (int r = 0; r < x.rows(); r++) {
            for (int e = 0; e < EXPERTS; e++) {
                float sum = 0;
                for (int c = 0; c < D_MODEL; c++) {
                    sum += x.get(r, c) * gate.get(e, c);
                }
                out[r * EXPERTS + e] = sum;
            }
        }
        return new Matrix(x.rows(), EXPERTS, out);
    }
}
