package io.moestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(config).isEqualTo(new MoeConfig("mixtral", 4096, 14336, 8, 2, 32));
    }

    @Test
    void shouldNameAnUnsupportedModelType() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2_moe\"}");

        assertThatThrownBy(() -> MoeConfig.read(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model_type 'qwen2_moe' is not supported");
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
        assertThatThrownBy(() -> new MoeConfig("mixtral", 8, 16, 2, 3, 1))
                .hasMessage("top-k 3 is outside [1, 2]");
    }

    @Test
    void shouldNameAMissingConfigFile() {
        assertThatThrownBy(() -> MoeConfig.read(dir)).hasMessageContaining("no config.json in");
    }
}
