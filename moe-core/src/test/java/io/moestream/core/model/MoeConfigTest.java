package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.routing.RouterSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"switch_transformers\"}");

        assertThatThrownBy(() -> MoeConfig.read(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model_type 'switch_transformers' is not supported (supported: [mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2, deepseek_v3, gpt_oss, llama4_text], and llama4 with a llama4_text text_config)");
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

        // then the expert size is moe_intermediate_size, and the router renormalizes
        assertThat(config).isEqualTo(new MoeConfig(ModelFamily.QWEN3_MOE, 2048, 768, 128, 48,
                RouterSpec.softmaxTopK(8, true), 0));
    }

    @Test
    void shouldReadOlmoeWithoutNormTopkProbAsNotRenormalizing() throws IOException {
        // given: an excerpt of OLMoE-1B-7B's config.json, which leaves norm_topk_prob out
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["OlmoeForCausalLM"], "model_type": "olmoe", "hidden_size": 2048,
                 "intermediate_size": 1024, "num_experts": 64, "num_experts_per_tok": 8, "num_hidden_layers": 16}
                """);

        // when
        MoeConfig config = MoeConfig.read(dir);

        // then the top-k weights are the plain softmax probabilities
        assertThat(config).isEqualTo(new MoeConfig(ModelFamily.OLMOE, 2048, 1024, 64, 16,
                RouterSpec.softmaxTopK(8, false), 0));
    }

    @Test
    void shouldReadQwen2MoeWithItsSharedExpert() throws IOException {
        // given: an excerpt of Qwen1.5-MoE-A2.7B's config.json
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "qwen2_moe", "hidden_size": 2048, "intermediate_size": 5632,
                 "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632, "num_experts": 60,
                 "num_experts_per_tok": 4, "norm_topk_prob": false, "num_hidden_layers": 24}
                """);

        MoeConfig config = MoeConfig.read(dir);

        // then the shared expert is served as expert 60
        assertThat(config).isEqualTo(new MoeConfig(ModelFamily.QWEN2_MOE, 2048, 1408, 60, 24,
                RouterSpec.softmaxTopK(4, false), 5632));
        assertThat(config.servedExperts()).isEqualTo(61);
    }

    @Test
    void shouldReadDeepseekV3RoutingAndSharedExperts() throws IOException {
        // given: an excerpt of DeepSeek-V3's config.json
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "deepseek_v3", "hidden_size": 7168, "intermediate_size": 18432,
                 "moe_intermediate_size": 2048, "n_routed_experts": 256, "n_shared_experts": 1,
                 "num_experts_per_tok": 8, "n_group": 8, "topk_group": 4, "norm_topk_prob": true,
                 "routed_scaling_factor": 2.5, "scoring_func": "sigmoid", "topk_method": "noaux_tc",
                 "first_k_dense_replace": 3, "num_hidden_layers": 61}
                """);

        MoeConfig config = MoeConfig.read(dir);

        assertThat(config).isEqualTo(new MoeConfig(ModelFamily.DEEPSEEK_V3, 7168, 2048, 256, 61,
                new RouterSpec(RouterSpec.Scoring.SIGMOID, 8, true, 2.5f, 8, 4, RouterSpec.GroupScore.TOP2_SUM, true),
                2048));
    }

    @Test
    void shouldReadDeepseekV2GroupLimitedGreedy() throws IOException {
        // given: an excerpt of DeepSeek-V2's config.json (two shared experts stored as one MLP twice as wide)
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "deepseek_v2", "hidden_size": 5120, "moe_intermediate_size": 1536,
                 "n_routed_experts": 160, "n_shared_experts": 2, "num_experts_per_tok": 6, "n_group": 8,
                 "topk_group": 3, "topk_method": "group_limited_greedy", "routed_scaling_factor": 16.0,
                 "norm_topk_prob": false, "num_hidden_layers": 60}
                """);

        MoeConfig config = MoeConfig.read(dir);

        assertThat(config).isEqualTo(new MoeConfig(ModelFamily.DEEPSEEK_V2, 5120, 1536, 160, 60,
                new RouterSpec(RouterSpec.Scoring.SOFTMAX, 6, false, 16f, 8, 3, RouterSpec.GroupScore.MAX, false),
                3072));
    }

    @Test
    void shouldNameAnUnknownTopkMethod() throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "deepseek_v2", "hidden_size": 8, "moe_intermediate_size": 4, "n_routed_experts": 4,
                 "num_experts_per_tok": 2, "topk_method": "sampled", "num_hidden_layers": 1}
                """);

        assertThatThrownBy(() -> MoeConfig.read(dir)).hasMessageContaining("key topk_method 'sampled' is not greedy");
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
