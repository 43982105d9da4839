package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.io.Mxfp4;
import io.moestream.core.io.TensorStore;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator.ExpertLayout;
import io.moestream.core.model.ModelGenerator.GateSkew;
import io.moestream.core.model.ModelGenerator.Packaging;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.NaiveMoe;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated GPT-OSS (float and MXFP4) and Llama-4 (text and multimodal) models open, and the clamps act. */
class FusedFamilyGeneratorTest {
    private static final ModelSpec GPT_OSS = new ModelSpec(ModelFamily.GPT_OSS, 2, 8, 4, 64, 64, true, 7);
    private static final ModelSpec LLAMA4 = new ModelSpec(ModelFamily.LLAMA4_TEXT, 2, 6, 1, 32, 48, false, 8);

    @TempDir
    Path dir;

    @Test
    void shouldGenerateGptOssWhoseGateAndUpValuesReachBeyondTheClampLimit() {
        // given
        ModelGenerator.generate(dir, GPT_OSS);
        Matrix x = TestTensors.gaussian(100, 64, 3);
        try (MoeModel model = MoeModel.open(dir); ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 1)) {
            // when
            ExpertWeights expert = model.expert(1, 0);
            double[] share = beyondLimit(x, expert);

            // then a few percent of the gate values lie above 7 and of the up values beyond ±7
            assertThat(share[0]).isBetween(0.01, 0.1);
            assertThat(share[1]).isBetween(0.02, 0.2);
            assertThat(Tolerance.maxRelativeError(layer.forward(x), NaiveMoe.layer(model, 1, x))).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void shouldGenerateMxfp4ExpertsThatServeTheirDequantizedWeights() throws IOException {
        // given the same spec as float and as MXFP4
        Path floats = dir.resolve("f32");
        Path packed = dir.resolve("mxfp4");
        ModelGenerator.generate(floats, GPT_OSS, ExpertLayout.FUSED);
        ModelGenerator.generate(packed, GPT_OSS, ExpertLayout.MXFP4);
        Matrix x = TestTensors.gaussian(40, 64, 4);
        try (MoeModel f32 = MoeModel.open(floats); MoeModel mxfp4 = MoeModel.open(packed);
             TensorStore store = TensorStore.open(packed);
             ReferenceMoeLayer layer = new ReferenceMoeLayer(mxfp4, 0)) {
            // then the packed tensors are there, the config says mxfp4, and each weight is its float one quantized
            assertThat(store.contains("model.layers.0.mlp.experts.gate_up_proj_blocks")).isTrue();
            assertThat(store.contains("model.layers.0.mlp.experts.gate_up_proj")).isFalse();
            JsonNode config = new ObjectMapper().readTree(packed.resolve("config.json").toFile());
            assertThat(config.at("/quantization_config/quant_method").asText()).isEqualTo("mxfp4");
            Matrix down = f32.expert(0, 3).w2();
            Mxfp4.Packed q = Mxfp4.quantize(down);
            assertThat(mxfp4.expert(0, 3).w2()).isEqualTo(
                    Mxfp4.dequantize(java.nio.ByteBuffer.wrap(q.blocks()), java.nio.ByteBuffer.wrap(q.scales()), 64, 64));
            // and the layer is the naive composition of those weights, close to the float model's
            Matrix y = layer.forward(x);
            assertThat(Tolerance.maxRelativeError(y, NaiveMoe.layer(mxfp4, 0, x))).isLessThanOrEqualTo(1e-4);
            assertThat(Tolerance.maxRelativeError(y, new ReferenceMoeLayer(f32, 0).forward(x))).isBetween(1e-4, 0.5);
        }
    }

    @Test
    void shouldGenerateTheMultimodalLlama4Checkpoint() throws IOException {
        // given
        ModelGenerator.generate(dir, LLAMA4, ExpertLayout.FUSED, GateSkew.NONE, Packaging.LLAMA4_MULTIMODAL);
        Matrix x = TestTensors.gaussian(30, 32, 5);

        // then its config wraps the text model's and its tensors are under language_model.
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertThat(config.get("model_type").asText()).isEqualTo("llama4");
        assertThat(config.at("/text_config/model_type").asText()).isEqualTo("llama4_text");
        try (TensorStore store = TensorStore.open(dir); MoeModel model = MoeModel.open(dir);
             ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 1)) {
            assertThat(store.contains("language_model.model.layers.1.feed_forward.experts.gate_up_proj")).isTrue();
            assertThat(model.config()).isEqualTo(LLAMA4.config());
            assertThat(Tolerance.maxRelativeError(layer.forward(x), NaiveMoe.layer(model, 1, x))).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void shouldRefuseMxfp4AndTheMultimodalPackagingForOtherFamilies() {
        assertThatThrownBy(() -> ModelGenerator.generate(dir, LLAMA4, ExpertLayout.MXFP4))
                .hasMessageContaining("MXFP4 experts are GPT-OSS's; llama4_text has none");
        assertThatThrownBy(() -> ModelGenerator.generate(dir, GPT_OSS, ExpertLayout.FUSED, GateSkew.NONE,
                Packaging.LLAMA4_MULTIMODAL)).hasMessageContaining("the multimodal packaging is Llama-4's, not gpt_oss's");
    }

    /** Shares of the gate values above the limit and of the up values beyond ±limit, for the rows of {@code x}. */
    private static double[] beyondLimit(Matrix x, ExpertWeights w) {
        float limit = w.activation().limit();
        long gate = 0;
        long up = 0;
        for (int r = 0; r < x.rows(); r++) {
            for (int j = 0; j < w.w1().rows(); j++) {
                double g = w.biases().orElseThrow().gate()[j];
                double u = w.biases().orElseThrow().up()[j];
                for (int k = 0; k < x.cols(); k++) {
                    g += (double) x.get(r, k) * w.w1().get(j, k);
                    u += (double) x.get(r, k) * w.w3().get(j, k);
                }
                gate += g > limit ? 1 : 0;
                up += Math.abs(u) > limit ? 1 : 0;
            }
        }
        double n = (double) x.rows() * w.w1().rows();
        return new double[] {gate / n, up / n};
    }
}
