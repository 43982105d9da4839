package io.moestream.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The MoE shape of a model, read from its Hugging Face {@code config.json}. Supported: {@code model_type}
 * {@code "mixtral"} (keys {@code hidden_size}, {@code intermediate_size}, {@code num_local_experts},
 * {@code num_experts_per_tok}, {@code num_hidden_layers}).
 */
public record MoeConfig(String modelType, int dModel, int dFf, int numExperts, int topK, int numLayers) {
    public static final String CONFIG_FILE = "config.json";
    public static final String MIXTRAL = "mixtral";

    public MoeConfig {
        if (dModel < 1 || dFf < 1 || numExperts < 1 || numLayers < 1) {
            throw new IllegalArgumentException("d_model, d_ff, experts and layers must be positive: d_model=" + dModel
                    + " d_ff=" + dFf + " experts=" + numExperts + " layers=" + numLayers);
        }
        if (topK < 1 || topK > numExperts) {
            throw new IllegalArgumentException("top-k " + topK + " is outside [1, " + numExperts + "]");
        }
    }

    public static MoeConfig read(Path modelDir) {
        Path file = modelDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + CONFIG_FILE + " in " + modelDir);
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String modelType = json.path("model_type").asText("");
        if (!MIXTRAL.equals(modelType)) {
            throw new IllegalArgumentException(file + ": model_type '" + modelType + "' is not supported (supported: "
                    + MIXTRAL + ")");
        }
        return new MoeConfig(modelType,
                intKey(file, json, "hidden_size"),
                intKey(file, json, "intermediate_size"),
                intKey(file, json, "num_local_experts"),
                intKey(file, json, "num_experts_per_tok"),
                intKey(file, json, "num_hidden_layers"));
    }

    private static int intKey(Path file, JsonNode json, String key) {
        JsonNode value = json.get(key);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": key " + key + " is missing or not an integer");
        }
        return value.intValue();
    }
}
