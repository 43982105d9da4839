package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.moestream.core.routing.Routing;
import io.moestream.core.routing.SoftmaxTopKRouting;
import io.moestream.core.tensor.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MoeConfigTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadTheMixtralKeys() throws IOException {
        // given: an excerpt of Mixtral-8x7B's config.json
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 4096,
                 "intermediate_size": 14336, "num_local_experts": 8, "num_experts_per_tok": 2,
                 "num_hidden_layers": 32, "num_attention_heads": 32, "torch_dtype": "bfloat16"}
                """);

        // when
        MoeConfig config = MoeConfig.read(dir);

        // then
        assertThat(config).isEqualTo(MoeConfig.mixtral(4096, 14336, 8, 2, 32));
    }

    @Test
    void shouldNameAnUnsupportedModelType() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2_moe\"}");

        assertThatThrownBy(() -> MoeConfig.read(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model_type 'qwen2_moe' is not supported (supported: [mixtral, qwen3_moe, olmoe])");
    }

    @Test
    void shouldReadTheQwen3MoeKeys() throws IOException {
        // given: an excerpt of Qwen3-30B-A3B's config.json
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 2048,
                 "intermediate_size": 6144, "moe_intermediate_size": 768, "num_experts": 128,
                 "num_experts_per_tok": 8, "norm_topk_prob": true, "num_hidden_layers": 48}
                """);

        // when
        MoeConfig config = MoeConfig.read(dir);

        // then the expert size is moe_intermediate_size, and the router renormalises
        assertThat(config).isEqualTo(new MoeConfig(ModelFamily.QWEN3_MOE, 2048, 768, 128, 8, 48, true));
        assertThat(config.routingPolicy()).isInstanceOf(SoftmaxTopKRouting.class);
    }

    @Test
    void shouldReadOlmoeWithoutNormTopkProbAsNotRenormalising() throws IOException {
        // given: an excerpt of OLMoE-1B-7B's config.json, which leaves norm_topk_prob out
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["OlmoeForCausalLM"], "model_type": "olmoe", "hidden_size": 2048,
                 "intermediate_size": 1024, "num_experts": 64, "num_experts_per_tok": 8, "num_hidden_layers": 16}
                """);

        // when
        MoeConfig config = MoeConfig.read(dir);

        // then the top-k weights are the plain softmax probabilities
        assertThat(config).isEqualTo(new MoeConfig(ModelFamily.OLMOE, 2048, 1024, 64, 8, 16, false));
        Routing routing = config.routingPolicy().route(new Matrix(1, 64, new float[64]));
        assertThat(routing.weight(0, 0)).isEqualTo(1f / 64);
    }

    @Test
    void shouldNameAMissingKey() throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "mixtral", "hidden_size": 64, "intermediate_size": 128,
                 "num_experts_per_tok": 2, "num_hidden_layers": 1}
                """);

        assertThatThrownBy(() -> MoeConfig.read(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_local_experts is missing");
    }

    @Test
    void shouldRejectTopKAboveTheExpertCount() {
        assertThatThrownBy(() -> MoeConfig.mixtral(8, 16, 2, 3, 1))
                .hasMessage("top-k 3 is outside [1, 2]");
    }

    @Test
    void shouldNameAMissingConfigFile() {
        assertThatThrownBy(() -> MoeConfig.read(dir)).hasMessageContaining("no config.json in");
    }
}
