package io.moestream.gateway.oip;

import static io.moestream.gateway.oip.OipRequests.D_MODEL;
import static io.moestream.gateway.oip.OipRequests.EXPERTS;
import static io.moestream.gateway.oip.OipRequests.TOP_K;
import static io.moestream.gateway.support.Chunks.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.proto.v1.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void shouldAddGptOssRouterBiasToTheLogitsAndChooseByThem(@TempDir Path dir) {
        // given a served GPT-OSS model, whose router has a bias
        ModelGenerator.generate(dir, new ModelSpec(ModelFamily.GPT_OSS, 1, 8, 4, 32, 32, true, 3));
        Matrix rows = random(6, 32, 4);
        try (MoeModel model = MoeModel.open(dir)) {
            RouterOutputs gptOss = new RouterOutputs(ServedModel.read(model, model.moeLayers()));

            // when
            Map<RequestedOutput, OutputTensor> outputs = gptOss.compute(0, rows,
                    EnumSet.of(RequestedOutput.ROUTER_LOGITS, RequestedOutput.EXPERT_IDS));

            // then the logits are x · Wᵀ + b, and the ids the top-4 of them
            float[] logits = TensorCodec.decode(outputs.get(RequestedOutput.ROUTER_LOGITS).data().asReadOnlyByteBuffer(),
                    DType.FP32, 6 * 8);
            float[] bias = model.routerBias(0).orElseThrow();
            ByteBuffer ids = outputs.get(RequestedOutput.EXPERT_IDS).data().asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows.rows(); r++) {
                double[] expected = new double[8];
                for (int e = 0; e < 8; e++) {
                    for (int c = 0; c < 32; c++) {
                        expected[e] += (double) rows.get(r, c) * model.gate(0).get(e, c);
                    }
                    expected[e] += bias[e];
                    assertThat(logits[r * 8 + e]).isCloseTo((float) expected[e], within(1e-5f));
                }
                List<Integer> top = IntStream.range(0, 8).boxed()
                        .sorted(Comparator.comparingDouble((Integer e) -> -expected[e])).limit(4).toList();
                assertThat(List.of(ids.getInt(), ids.getInt(), ids.getInt(), ids.getInt())).as("row %d", r).isEqualTo(top);
            }
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
