package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.io.SafetensorsWriter;
import io.moestream.core.io.SafetensorsWriter.TensorHeader;
import io.moestream.core.io.TensorStore;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelFamily.FusedProjection;
import io.moestream.core.model.ModelFamily.SwiGluProjection;
import io.moestream.core.model.ModelGenerator.ExpertLayout;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.core.testing.TestTensors;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused expert layout ({@code experts.gate_up_proj [E, 2I, H]}, {@code experts.down_proj [E, H, I]}): a checkpoint
 * re-packed from a per-expert one by stacking its tensors here, independently of the reader, must give the same
 * experts and the same layer output; the generator's fused layout must open; a missing or transposed tensor is an
 * error naming it.
 */
class FusedExpertLayoutTest {
    private static final int EXPERTS = 4;
    private static final int D_MODEL = 12;
    private static final int D_FF = 20;

    @TempDir
    Path perExpert;
    @TempDir
    Path fused;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP32", "BF16"})
    void shouldReadEachExpertOfAFusedCheckpointAsThePerExpertOne(DType dtype) throws IOException {
        // given a per-expert Qwen3-MoE checkpoint and the same weights stacked into the fused layout
        ModelGenerator.generate(perExpert, new ModelSpec(ModelFamily.QWEN3_MOE, 2, EXPERTS, 2, D_MODEL, D_FF, true, 3));
        writeFused(perExpert, fused, dtype, false);
        Matrix x = TestTensors.gaussian(17, D_MODEL, 4);

        try (MoeModel a = MoeModel.open(perExpert); MoeModel b = MoeModel.open(fused)) {
            for (int layer = 0; layer < 2; layer++) {
                assertThat(b.hasFusedExperts(layer)).isTrue();
                assertThat(a.hasFusedExperts(layer)).isFalse();
                for (int e = 0; e < EXPERTS; e++) {
                    ExpertWeights expected = rounded(a.expert(layer, e), dtype);
                    ExpertWeights actual = b.expert(layer, e);
                    assertThat(actual.w1()).as("gate of L%d e%d", layer, e).isEqualTo(expected.w1());
                    assertThat(actual.w3()).as("up of L%d e%d", layer, e).isEqualTo(expected.w3());
                    assertThat(actual.w2()).as("down of L%d e%d", layer, e).isEqualTo(expected.w2());
                }
            }
            if (dtype == DType.FP32) {
                // then the layer computes the same output, bit for bit
                try (ReferenceMoeLayer ra = new ReferenceMoeLayer(a, 1); ReferenceMoeLayer rb = new ReferenceMoeLayer(b, 1)) {
                    assertThat(rb.forward(x)).isEqualTo(ra.forward(x));
                }
            }
        }
    }

    @Test
    void shouldOpenTheGeneratorsFusedLayout() throws IOException {
        ModelGenerator.generate(fused, new ModelSpec(ModelFamily.QWEN2_MOE, 1, EXPERTS, 2, D_MODEL, D_FF, true, 5),
                ExpertLayout.FUSED);

        try (MoeModel model = MoeModel.open(fused); TensorStore store = TensorStore.open(fused)) {
            String gateUp = ModelFamily.QWEN2_MOE.fusedExpertTensor(0, FusedProjection.GATE_UP);
            assertThat(gateUp).isEqualTo("model.layers.0.mlp.experts.gate_up_proj");
            assertThat(store.shape(gateUp)).containsExactly(EXPERTS, 2 * D_FF, D_MODEL);
            assertThat(store.shape("model.layers.0.mlp.experts.down_proj")).containsExactly(EXPERTS, D_MODEL, D_FF);
            assertThat(store.contains(ModelFamily.QWEN2_MOE.expertTensor(0, 0, SwiGluProjection.GATE))).isFalse();
            // expert 2's up rows are rows [I, 2I) of its [2I, H] block
            Matrix all = store.slice(gateUp, 2, 0, 2 * D_FF);
            Matrix up = model.expert(0, 2).w3();
            assertThat(up.data()).containsExactly(Arrays.copyOfRange(all.data(), D_FF * D_MODEL, 2 * D_FF * D_MODEL));
            // the shared expert stays a plain MLP
            assertThat(model.expert(0, EXPERTS).w1().rows()).isEqualTo(2 * D_FF);
        }
    }

    @Test
    void shouldNameAMissingFusedTensor() throws IOException {
        ModelGenerator.generate(perExpert, new ModelSpec(ModelFamily.OLMOE, 1, EXPERTS, 2, D_MODEL, D_FF, false, 3));
        writeFused(perExpert, fused, DType.FP32, true);

        try (MoeModel model = MoeModel.open(fused)) {
            assertThatThrownBy(() -> model.expert(0, 1))
                    .hasMessageContaining("missing tensor model.layers.0.mlp.experts.down_proj");
        }
    }

    @Test
    void shouldRefuseTheTransposedFusedLayoutNamingIt() throws IOException {
        // given gate_up_proj stored [E, H, 2I]
        ModelGenerator.generate(perExpert, new ModelSpec(ModelFamily.QWEN3_MOE, 1, EXPERTS, 2, D_MODEL, D_FF, true, 3));
        Files.copy(perExpert.resolve("config.json"), fused.resolve("config.json"));
        String gateUp = ModelFamily.QWEN3_MOE.fusedExpertTensor(0, FusedProjection.GATE_UP);
        String down = ModelFamily.QWEN3_MOE.fusedExpertTensor(0, FusedProjection.DOWN);
        String gate = ModelFamily.QWEN3_MOE.gateTensor(0);
        Map<String, Matrix> data = Map.of(gate, TestTensors.gaussian(EXPERTS, D_MODEL, 1),
                gateUp, TestTensors.gaussian(EXPERTS * D_MODEL, 2 * D_FF, 2),
                down, TestTensors.gaussian(EXPERTS * D_MODEL, D_FF, 3));
        SafetensorsWriter.write(fused.resolve(TensorStore.SINGLE_FILE), List.of(new TensorHeader(gate, EXPERTS, D_MODEL),
                TensorHeader.stacked(gateUp, EXPERTS, D_MODEL, 2 * D_FF), TensorHeader.stacked(down, EXPERTS, D_MODEL, D_FF)),
                data::get, DType.FP32);

        try (MoeModel model = MoeModel.open(fused)) {
            assertThatThrownBy(() -> model.expert(0, 0)).hasMessageContaining(gateUp + " has shape [4, 12, 40]")
                    .hasMessageContaining("input-major fused layout, which only gpt_oss and llama4_text use")
                    .hasMessageContaining("implies [4, 40, 12]");
        }
    }

    /** Re-packs {@code source}'s routed experts into the fused layout by stacking, as a converter would. */
    private static void writeFused(Path source, Path target, DType dtype, boolean withoutDown) throws IOException {
        Files.copy(source.resolve("config.json"), target.resolve("config.json"));
        List<TensorHeader> headers = new ArrayList<>();
        Map<String, Matrix> data = new HashMap<>();
        try (MoeModel model = MoeModel.open(source)) {
            ModelFamily family = model.config().family();
            for (int layer : model.moeLayers()) {
                headers.add(new TensorHeader(family.gateTensor(layer), EXPERTS, D_MODEL));
                data.put(family.gateTensor(layer), model.gate(layer));
                float[] gateUp = new float[EXPERTS * 2 * D_FF * D_MODEL];
                float[] down = new float[EXPERTS * D_MODEL * D_FF];
                for (int e = 0; e < EXPERTS; e++) {
                    ExpertWeights w = model.expert(layer, e);
                    int block = 2 * D_FF * D_MODEL;
                    System.arraycopy(w.w1().data(), 0, gateUp, e * block, D_FF * D_MODEL);
                    System.arraycopy(w.w3().data(), 0, gateUp, e * block + D_FF * D_MODEL, D_FF * D_MODEL);
                    System.arraycopy(w.w2().data(), 0, down, e * D_MODEL * D_FF, D_MODEL * D_FF);
                }
                String gateUpName = family.fusedExpertTensor(layer, FusedProjection.GATE_UP);
                headers.add(TensorHeader.stacked(gateUpName, EXPERTS, 2 * D_FF, D_MODEL));
                data.put(gateUpName, new Matrix(EXPERTS * 2 * D_FF, D_MODEL, gateUp));
                if (!withoutDown) {
                    String downName = family.fusedExpertTensor(layer, FusedProjection.DOWN);
                    headers.add(TensorHeader.stacked(downName, EXPERTS, D_MODEL, D_FF));
                    data.put(downName, new Matrix(EXPERTS * D_MODEL, D_FF, down));
                }
            }
        }
        SafetensorsWriter.write(target.resolve(TensorStore.SINGLE_FILE), headers, data::get, dtype);
    }

    private static ExpertWeights rounded(ExpertWeights w, DType dtype) {
        return new ExpertWeights(round(w.w1(), dtype), round(w.w2(), dtype), round(w.w3(), dtype));
    }

    private static Matrix round(Matrix m, DType dtype) {
        return new Matrix(m.rows(), m.cols(), TensorCodec.decode(
                ByteBuffer.wrap(TensorCodec.encode(m.data(), dtype)), dtype, m.data().length));
    }
}
