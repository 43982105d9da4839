package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.io.SafetensorsWriter;
import io.moestream.core.io.TensorStore;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MoeModelTest {
    private static final ModelSpec SPEC = new ModelSpec(2, 4, 2, 16, 24, 42);

    @TempDir
    Path dir;

    @Test
    void shouldOpenAGeneratedModelWithTheSpecShapes() {
        // given
        ModelGenerator.generate(dir, SPEC);

        // when
        try (MoeModel model = MoeModel.open(dir)) {
            // then
            assertThat(model.config()).isEqualTo(MoeConfig.mixtral(16, 24, 4, 2, 2));
            assertThat(model.moeLayers()).containsExactly(0, 1);
            assertThat(model.gate(1).rows()).isEqualTo(4);
            assertThat(model.gate(1).cols()).isEqualTo(16);
            ExpertWeights w = model.expert(1, 3);
            assertThat(new int[] {w.w1().rows(), w.w1().cols()}).containsExactly(24, 16);
            assertThat(new int[] {w.w2().rows(), w.w2().cols()}).containsExactly(16, 24);
            assertThat(new int[] {w.w3().rows(), w.w3().cols()}).containsExactly(24, 16);
        }
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void shouldNameTheTensorsAsTheFamilyDoes(ModelFamily family) {
        // given a generated model of the family
        ModelGenerator.generate(dir, new ModelSpec(family, 1, 3, 2, 8, 12, false, 1));

        // when it is opened
        try (MoeModel model = MoeModel.open(dir); TensorStore store = TensorStore.open(dir)) {
            // then the config round-trips and the tensors carry the family's Hugging Face names
            assertThat(model.config()).isEqualTo(new ModelSpec(family, 1, 3, 2, 8, 12, false, 1).config());
            String expected = switch (family) {
                case MIXTRAL -> "model.layers.0.block_sparse_moe.experts.2.w3.weight";
                case GPT_OSS -> "model.layers.0.mlp.router.weight";
                case LLAMA4_TEXT -> "model.layers.0.feed_forward.router.weight";
                default -> "model.layers.0.mlp.experts.2.up_proj.weight";
            };
            assertThat(store.contains(expected)).as(expected).isTrue();
            assertThat(store.matrix(expected))
                    .isEqualTo(family.inputMajorExperts() ? model.gate(0) : model.expert(0, 2).w3());
        }
    }

    @Test
    void shouldWriteAHuggingFaceMixtralConfig() throws IOException {
        ModelGenerator.generate(dir, SPEC);

        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());

        assertThat(config.get("model_type").asText()).isEqualTo("mixtral");
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("MixtralForCausalLM");
        assertThat(config.get("torch_dtype").asText()).isEqualTo("float32");
        assertThat(config.get("hidden_size").asInt()).isEqualTo(16);
        assertThat(config.get("intermediate_size").asInt()).isEqualTo(24);
        assertThat(config.get("num_local_experts").asInt()).isEqualTo(4);
        assertThat(config.get("num_experts_per_tok").asInt()).isEqualTo(2);
        assertThat(config.get("num_hidden_layers").asInt()).isEqualTo(2);
    }

    @Test
    void shouldGenerateTheSameWeightsForTheSameSeedAndScaleThemByFanIn() {
        Path other = dir.resolve("other");
        Path again = dir.resolve("again");
        ModelGenerator.generate(dir, SPEC);
        ModelGenerator.generate(again, SPEC);
        ModelGenerator.generate(other, new ModelSpec(2, 4, 2, 16, 24, 43));

        try (MoeModel a = MoeModel.open(dir); MoeModel b = MoeModel.open(again); MoeModel c = MoeModel.open(other)) {
            assertThat(a.expert(0, 1).w2()).isEqualTo(b.expert(0, 1).w2());
            assertThat(a.expert(0, 1).w2()).isNotEqualTo(c.expert(0, 1).w2());
            assertThat(a.expert(0, 1).w1()).isNotEqualTo(a.expert(0, 2).w1());
            // w2 maps d_ff = 24 inputs: its entries have standard deviation 1/sqrt(24)
            assertThat(rms(a.expert(1, 0).w2())).isBetween(0.8 / Math.sqrt(24), 1.2 / Math.sqrt(24));
            assertThat(rms(a.gate(0))).isBetween(0.6 / Math.sqrt(16), 1.4 / Math.sqrt(16));
        }
    }

    @Test
    void shouldAcceptACheckpointWithSomeLayersDense() throws IOException {
        // given: layer 1 of 3 is the only MoE layer, plus an unrelated attention tensor
        writeConfig(3);
        Map<String, Matrix> tensors = new LinkedHashMap<>();
        tensors.put("model.layers.1.self_attn.q_proj.weight", Matrix.zeros(16, 16));
        tensors.put(ModelFamily.MIXTRAL.gateTensor(1), Matrix.zeros(4, 16));
        SafetensorsWriter.write(dir.resolve(TensorStore.SINGLE_FILE), tensors, DType.BF16);

        // when
        try (MoeModel model = MoeModel.open(dir)) {
            // then
            assertThat(model.moeLayers()).containsExactly(1);
            assertThatThrownBy(() -> model.expert(1, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("missing tensor model.layers.1.block_sparse_moe.experts.0.w1.weight");
            assertThatThrownBy(() -> model.gate(0)).hasMessageContaining(ModelFamily.MIXTRAL.gateTensor(0));
        }
    }

    @Test
    void shouldNameATensorWhoseShapeDisagreesWithTheConfig() throws IOException {
        writeConfig(1);
        SafetensorsWriter.write(dir.resolve(TensorStore.SINGLE_FILE),
                Map.of(ModelFamily.MIXTRAL.gateTensor(0), Matrix.zeros(4, 12)), DType.FP32);

        try (MoeModel model = MoeModel.open(dir)) {
            assertThatThrownBy(() -> model.gate(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("model.layers.0.block_sparse_moe.gate.weight has shape [4, 12]")
                    .hasMessageContaining("implies [4, 16]");
        }
    }

    @Test
    void shouldRejectACheckpointWithoutAnyGate() throws IOException {
        writeConfig(2);
        SafetensorsWriter.write(dir.resolve(TensorStore.SINGLE_FILE), Map.of("lm_head.weight", Matrix.zeros(2, 16)),
                DType.FP32);

        assertThatThrownBy(() -> MoeModel.open(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no MoE gate tensor");
    }

    private void writeConfig(int layers) throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "mixtral", "hidden_size": 16, "intermediate_size": 24, "num_local_experts": 4,
                 "num_experts_per_tok": 2, "num_hidden_layers": %d}
                """.formatted(layers));
    }

    private static double rms(Matrix m) {
        double sum = 0;
        for (float v : m.data()) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / m.data().length);
    }
}
