package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.io.Mxfp4;
import io.moestream.core.kernel.GluActivation;
import io.moestream.core.routing.GateWeighting;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.RawSafetensors;
import io.moestream.core.testing.TestTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-OSS's and Llama-4's experts read from the input-major fused layout (float and MXFP4), their biases, the
 * multimodal {@code language_model.} prefix and Llama-4's declared MoE layers: each expert equals the matrices the
 * test packed.
 */
class InputMajorExpertsTest {
    private static final int EXPERTS = 3;
    private static final int D_MODEL = 32;
    private static final int D_FF = 32;

    @TempDir
    Path dir;

    @Test
    void shouldSplitGptOssInterleavedGateAndUpColumnsAndTheirBiases() throws IOException {
        // given per-expert matrices packed as GPT-OSS stores them: gate_up [E, H, 2I] with gate in the even columns
        Matrix[] w1 = new Matrix[EXPERTS];
        Matrix[] w2 = new Matrix[EXPERTS];
        Matrix[] w3 = new Matrix[EXPERTS];
        float[] gateUp = new float[EXPERTS * D_MODEL * 2 * D_FF];
        float[] gateUpBias = new float[EXPERTS * 2 * D_FF];
        float[] down = new float[EXPERTS * D_FF * D_MODEL];
        float[] downBias = TestTensors.gaussian(EXPERTS, D_MODEL, 9).data();
        for (int e = 0; e < EXPERTS; e++) {
            w1[e] = TestTensors.gaussian(D_FF, D_MODEL, 10 + e);
            w3[e] = TestTensors.gaussian(D_FF, D_MODEL, 20 + e);
            w2[e] = TestTensors.gaussian(D_MODEL, D_FF, 30 + e);
            for (int k = 0; k < D_MODEL; k++) {
                for (int j = 0; j < D_FF; j++) {
                    gateUp[(e * D_MODEL + k) * 2 * D_FF + 2 * j] = w1[e].get(j, k);
                    gateUp[(e * D_MODEL + k) * 2 * D_FF + 2 * j + 1] = w3[e].get(j, k);
                    down[(e * D_FF + j) * D_MODEL + k] = w2[e].get(k, j);
                }
            }
            for (int j = 0; j < 2 * D_FF; j++) {
                gateUpBias[e * 2 * D_FF + j] = e * 1000 + j;
            }
        }
        String layer = "model.layers.0.mlp.";
        new RawSafetensors()
                .addF32(layer + "router.weight", new long[] {EXPERTS, D_MODEL}, TestTensors.gaussian(EXPERTS, D_MODEL, 1).data())
                .addF32(layer + "router.bias", new long[] {EXPERTS}, new float[] {1f, 2f, 3f})
                .addF32(layer + "experts.gate_up_proj", new long[] {EXPERTS, D_MODEL, 2 * D_FF}, gateUp)
                .addF32(layer + "experts.gate_up_proj_bias", new long[] {EXPERTS, 2 * D_FF}, gateUpBias)
                .addF32(layer + "experts.down_proj", new long[] {EXPERTS, D_FF, D_MODEL}, down)
                .addF32(layer + "experts.down_proj_bias", new long[] {EXPERTS, D_MODEL}, downBias)
                .write(dir.resolve("model.safetensors"));
        config("{\"model_type\": \"gpt_oss\", \"hidden_size\": 32, \"intermediate_size\": 32, \"num_local_experts\": 3,"
                + " \"num_experts_per_tok\": 2, \"num_hidden_layers\": 1, \"swiglu_limit\": 5.5}");

        // when
        try (MoeModel model = MoeModel.open(dir)) {
            for (int e = 0; e < EXPERTS; e++) {
                ExpertWeights w = model.expert(0, e);

                // then
                assertThat(w.w1()).isEqualTo(w1[e]);
                assertThat(w.w3()).isEqualTo(w3[e]);
                assertThat(w.w2()).isEqualTo(w2[e]);
                assertThat(w.biases().orElseThrow().gate()[1]).isEqualTo(e * 1000 + 2);
                assertThat(w.biases().orElseThrow().up()[1]).isEqualTo(e * 1000 + 3);
                assertThat(w.biases().orElseThrow().down()[4]).isEqualTo(downBias[e * D_MODEL + 4]);
                assertThat(w.activation()).isEqualTo(GluActivation.clampedSwiGlu(5.5f));
            }
            assertThat(model.routerBias(0).orElseThrow()).containsExactly(1f, 2f, 3f);
            assertThat(model.router(0).weighting()).isEqualTo(GateWeighting.OUTPUT);
        }
    }

    @Test
    void shouldDequantizeGptOssMxfp4ExpertsAndSplitTheirRows() throws IOException {
        // given random MXFP4 blocks and scales, stored output-major [E, out, in/32, 16] as the releases store them
        Random random = new Random(5);
        byte[] gateUpBlocks = bytes(random, EXPERTS * 2 * D_FF * D_MODEL / 2);
        byte[] gateUpScales = scales(random, EXPERTS * 2 * D_FF * D_MODEL / 32);
        byte[] downBlocks = bytes(random, EXPERTS * D_MODEL * D_FF / 2);
        byte[] downScales = scales(random, EXPERTS * D_MODEL * D_FF / 32);
        String layer = "model.layers.0.mlp.";
        new RawSafetensors()
                .addF32(layer + "router.weight", new long[] {EXPERTS, D_MODEL}, TestTensors.gaussian(EXPERTS, D_MODEL, 1).data())
                .addF32(layer + "router.bias", new long[] {EXPERTS}, new float[EXPERTS])
                .add(layer + "experts.gate_up_proj_blocks", "U8", new long[] {EXPERTS, 2 * D_FF, 1, 16}, gateUpBlocks)
                .add(layer + "experts.gate_up_proj_scales", "U8", new long[] {EXPERTS, 2 * D_FF, 1}, gateUpScales)
                .addF32(layer + "experts.gate_up_proj_bias", new long[] {EXPERTS, 2 * D_FF}, new float[EXPERTS * 2 * D_FF])
                .add(layer + "experts.down_proj_blocks", "U8", new long[] {EXPERTS, D_MODEL, 1, 16}, downBlocks)
                .add(layer + "experts.down_proj_scales", "U8", new long[] {EXPERTS, D_MODEL, 1}, downScales)
                .addF32(layer + "experts.down_proj_bias", new long[] {EXPERTS, D_MODEL}, new float[EXPERTS * D_MODEL])
                .write(dir.resolve("model.safetensors"));
        config("{\"model_type\": \"gpt_oss\", \"hidden_size\": 32, \"intermediate_size\": 32, \"num_local_experts\": 3,"
                + " \"num_experts_per_tok\": 2, \"num_hidden_layers\": 1, \"quantization_config\": {\"quant_method\": \"mxfp4\"}}");

        try (MoeModel model = MoeModel.open(dir)) {
            // when expert 2 is read
            ExpertWeights w = model.expert(0, 2);

            // then it is its own slice, dequantized: gate the even rows of [2I, H], up the odd rows, down [H, I]
            Matrix gateUp = Mxfp4.dequantize(ByteBuffer.wrap(gateUpBlocks, 2 * 2 * D_FF * 16, 2 * D_FF * 16).slice(),
                    ByteBuffer.wrap(gateUpScales, 2 * 2 * D_FF, 2 * D_FF).slice(), 2 * D_FF, D_MODEL);
            Matrix expectedDown = Mxfp4.dequantize(ByteBuffer.wrap(downBlocks, 2 * D_MODEL * 16, D_MODEL * 16).slice(),
                    ByteBuffer.wrap(downScales, 2 * D_MODEL, D_MODEL).slice(), D_MODEL, D_FF);
            for (int j = 0; j < D_FF; j++) {
                for (int k = 0; k < D_MODEL; k++) {
                    assertThat(w.w1().get(j, k)).isEqualTo(gateUp.get(2 * j, k));
                    assertThat(w.w3().get(j, k)).isEqualTo(gateUp.get(2 * j + 1, k));
                }
            }
            assertThat(w.w2()).isEqualTo(expectedDown);
            assertThat(w.w1().firstNonFinite()).isEqualTo(-1);
        }
    }

    @Test
    void shouldReadAMultimodalLlama4CheckpointItsHalvesAndItsDeclaredMoeLayers() throws IOException {
        // given a llama4 config with a text_config whose MoE layers are 1 and 3 (step 2), tensors under language_model.
        Matrix[] w1 = new Matrix[EXPERTS];
        Matrix[] w3 = new Matrix[EXPERTS];
        float[] gateUp = new float[EXPERTS * D_MODEL * 2 * D_FF];
        for (int e = 0; e < EXPERTS; e++) {
            w1[e] = TestTensors.gaussian(D_FF, D_MODEL, 10 + e);
            w3[e] = TestTensors.gaussian(D_FF, D_MODEL, 20 + e);
            for (int k = 0; k < D_MODEL; k++) {
                for (int j = 0; j < D_FF; j++) {
                    gateUp[(e * D_MODEL + k) * 2 * D_FF + j] = w1[e].get(j, k);
                    gateUp[(e * D_MODEL + k) * 2 * D_FF + D_FF + j] = w3[e].get(j, k);
                }
            }
        }
        RawSafetensors tensors = new RawSafetensors();
        for (int layer : new int[] {1, 3}) {
            String block = "language_model.model.layers." + layer + ".feed_forward.";
            tensors.addF32(block + "router.weight", new long[] {EXPERTS, D_MODEL}, TestTensors.gaussian(EXPERTS, D_MODEL, layer).data())
                    .addF32(block + "experts.gate_up_proj", new long[] {EXPERTS, D_MODEL, 2 * D_FF}, gateUp)
                    .addF32(block + "experts.down_proj", new long[] {EXPERTS, D_FF, D_MODEL},
                            TestTensors.gaussian(EXPERTS * D_FF, D_MODEL, 40).data());
            for (String projection : new String[] {"gate_proj", "up_proj"}) {
                tensors.addF32(block + "shared_expert." + projection + ".weight", new long[] {D_FF, D_MODEL},
                        TestTensors.gaussian(D_FF, D_MODEL, 50).data());
            }
            tensors.addF32(block + "shared_expert.down_proj.weight", new long[] {D_MODEL, D_FF},
                    TestTensors.gaussian(D_MODEL, D_FF, 51).data());
        }
        tensors.addF32("language_model.model.layers.0.feed_forward.gate_proj.weight", new long[] {64, D_MODEL},
                new float[64 * D_MODEL]);
        tensors.write(dir.resolve("model.safetensors"));
        config("{\"model_type\": \"llama4\", \"text_config\": {\"model_type\": \"llama4_text\", \"hidden_size\": 32,"
                + " \"intermediate_size\": 32, \"intermediate_size_mlp\": 64, \"num_local_experts\": 3,"
                + " \"num_experts_per_tok\": 1, \"num_hidden_layers\": 4, \"interleave_moe_layer_step\": 2}}");

        // when
        try (MoeModel model = MoeModel.open(dir)) {
            // then
            assertThat(model.config().family()).isEqualTo(ModelFamily.LLAMA4_TEXT);
            assertThat(model.moeLayers()).containsExactly(1, 3);
            assertThat(model.config().servedExperts()).isEqualTo(EXPERTS + 1);
            assertThat(model.expert(3, 1).w1()).isEqualTo(w1[1]);
            assertThat(model.expert(3, 1).w3()).isEqualTo(w3[1]);
            assertThat(model.expert(3, 1).biases()).isEmpty();
            assertThat(model.expert(1, EXPERTS).w1()).isEqualTo(TestTensors.gaussian(D_FF, D_MODEL, 50));
            assertThat(model.router(1).weighting()).isEqualTo(GateWeighting.INPUT);
        }
    }

    @Test
    void shouldNameMxfp4TensorsOfTheWrongShapeOrDtype() throws IOException {
        // given GPT-OSS blocks of the wrong shape for layer 0 and scales stored as F32 for layer 1
        RawSafetensors tensors = new RawSafetensors();
        for (int layer = 0; layer < 2; layer++) {
            String block = "model.layers." + layer + ".mlp.";
            tensors.addF32(block + "router.weight", new long[] {EXPERTS, D_MODEL}, new float[EXPERTS * D_MODEL])
                    .addF32(block + "router.bias", new long[] {EXPERTS}, new float[EXPERTS])
                    .add(block + "experts.gate_up_proj_blocks", "U8",
                            new long[] {EXPERTS, 2 * D_FF, 1, layer == 0 ? 8 : 16}, new byte[EXPERTS * 2 * D_FF * (layer == 0 ? 8 : 16)])
                    .add(block + "experts.down_proj_blocks", "U8", new long[] {EXPERTS, D_MODEL, 1, 16}, new byte[EXPERTS * D_MODEL * 16])
                    .add(block + "experts.down_proj_scales", "U8", new long[] {EXPERTS, D_MODEL, 1}, new byte[EXPERTS * D_MODEL]);
            if (layer == 0) {
                tensors.add(block + "experts.gate_up_proj_scales", "U8", new long[] {EXPERTS, 2 * D_FF, 1}, new byte[EXPERTS * 2 * D_FF]);
            } else {
                tensors.addF32(block + "experts.gate_up_proj_scales", new long[] {EXPERTS, 2 * D_FF, 1}, new float[EXPERTS * 2 * D_FF]);
            }
        }
        tensors.write(dir.resolve("model.safetensors"));
        config("{\"model_type\": \"gpt_oss\", \"hidden_size\": 32, \"intermediate_size\": 32, \"num_local_experts\": 3,"
                + " \"num_experts_per_tok\": 2, \"num_hidden_layers\": 2}");

        try (MoeModel model = MoeModel.open(dir)) {
            assertThatThrownBy(() -> model.expert(0, 0))
                    .hasMessageContaining("model.layers.0.mlp.experts.gate_up_proj_blocks has shape [3, 64, 1, 8]")
                    .hasMessageContaining("implies [3, 64, 1, 16]");
            assertThatThrownBy(() -> model.expert(1, 0))
                    .hasMessageContaining("model.layers.1.mlp.experts.gate_up_proj_scales")
                    .hasMessageContaining("has dtype F32; expected U8");
        }
    }

    @Test
    void shouldRefuseARouterOnALayerTheConfigDeclaresDense() throws IOException {
        new RawSafetensors()
                .addF32("model.layers.0.feed_forward.router.weight", new long[] {EXPERTS, D_MODEL}, new float[EXPERTS * D_MODEL])
                .write(dir.resolve("model.safetensors"));
        config("{\"model_type\": \"llama4_text\", \"hidden_size\": 32, \"intermediate_size\": 32, \"num_local_experts\": 3,"
                + " \"num_experts_per_tok\": 1, \"num_hidden_layers\": 4, \"moe_layers\": [1, 3]}");

        assertThatThrownBy(() -> MoeModel.open(dir))
                .hasMessageContaining("model.layers.0.feed_forward.router.weight is present, but config.json declares layer 0 dense (MoE layers [1, 3])");
    }

    @Test
    void shouldRefuseOtherQuantizationsAndAMultimodalConfigWithoutTextConfig() throws IOException {
        config("{\"model_type\": \"llama4_text\", \"hidden_size\": 32, \"intermediate_size\": 32, \"num_local_experts\": 3,"
                + " \"num_experts_per_tok\": 1, \"num_hidden_layers\": 4, \"quantization_config\": {\"quant_method\": \"fbgemm_fp8\"}}");
        assertThatThrownBy(() -> MoeConfig.read(dir))
                .hasMessageContaining("quantization_config.quant_method 'fbgemm_fp8' of a llama4_text model is not supported");

        config("{\"model_type\": \"llama4\"}");
        assertThatThrownBy(() -> MoeConfig.read(dir)).hasMessageContaining("model_type llama4 needs a text_config object");

        config("{\"model_type\": \"llama4\", \"text_config\": {\"model_type\": \"llama4_text\", \"hidden_size\": 32}}");
        assertThatThrownBy(() -> MoeConfig.read(dir)).hasMessageContaining("key text_config.intermediate_size is missing");
    }

    @Test
    void shouldTakeTheHuggingFaceDefaultsOfTheNewFamilies() throws IOException {
        config("{\"model_type\": \"gpt_oss\", \"hidden_size\": 2880, \"intermediate_size\": 2880, \"num_local_experts\": 32,"
                + " \"num_experts_per_tok\": 4, \"num_hidden_layers\": 24}");
        MoeConfig gptOss = MoeConfig.read(dir);
        assertThat(gptOss.activation()).isEqualTo(GluActivation.clampedSwiGlu(7f));
        assertThat(gptOss.router()).isEqualTo(io.moestream.core.routing.RouterSpec.softmaxOfTopK(4));
        assertThat(gptOss.sharedExpertDFf()).isZero();

        config("{\"model_type\": \"llama4_text\", \"hidden_size\": 5120, \"intermediate_size\": 8192, \"num_local_experts\": 16,"
                + " \"num_experts_per_tok\": 1, \"num_hidden_layers\": 48}");
        MoeConfig scout = MoeConfig.read(dir);
        assertThat(scout.declaredMoeLayers()).hasSize(48);
        assertThat(scout.router()).isEqualTo(io.moestream.core.routing.RouterSpec.sigmoidOfTopK(1));
        assertThat(scout.sharedExpertDFf()).isEqualTo(8192);
    }

    private void config(String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Scale bytes around 127 (2^-4 .. 2^3), as trained weights have. */
    private static byte[] scales(Random random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (123 + random.nextInt(8));
        }
        return b;
    }
}
