package io.moestream.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.routing.RoutingPolicy;
import io.moestream.core.routing.SoftmaxTopKRouting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The MoE shape of a model, read from its Hugging Face {@code config.json}: {@code model_type} picks the
 * {@link ModelFamily}, which names the keys; every family has {@code hidden_size}, {@code num_experts_per_tok}
 * and {@code num_hidden_layers}. {@code norm_topk_prob} is optional and false when absent, as in Hugging Face.
 */
public record MoeConfig(ModelFamily family, int dModel, int dFf, int numExperts, int topK, int numLayers,
                        boolean normTopkProb) {
    public static final String CONFIG_FILE = "config.json";

    public MoeConfig {
        // a family whose router always renormalises reads as norm_topk_prob = true, so equal configs route equally
        normTopkProb = normTopkProb || family.alwaysRenormalises();
        if (dModel < 1 || dFf < 1 || numExperts < 1 || numLayers < 1) {
            throw new IllegalArgumentException("d_model, d_ff, experts and layers must be positive: d_model=" + dModel
                    + " d_ff=" + dFf + " experts=" + numExperts + " layers=" + numLayers);
        }
        if (topK < 1 || topK > numExperts) {
            throw new IllegalArgumentException("top-k " + topK + " is outside [1, " + numExperts + "]");
        }
    }

    /** A Mixtral config (its router always renormalises). */
    public static MoeConfig mixtral(int dModel, int dFf, int numExperts, int topK, int numLayers) {
        return new MoeConfig(ModelFamily.MIXTRAL, dModel, dFf, numExperts, topK, numLayers, true);
    }

    public String modelType() {
        return family.modelType();
    }

    /** The router of this model as its Hugging Face definition computes it. */
    public RoutingPolicy routingPolicy() {
        return new SoftmaxTopKRouting(topK, normTopkProb);
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
        ModelFamily family = ModelFamily.of(modelType).orElseThrow(() -> new IllegalArgumentException(file
                + ": model_type '" + modelType + "' is not supported (supported: "
                + Arrays.stream(ModelFamily.values()).map(ModelFamily::modelType).toList() + ")"));
        return new MoeConfig(family,
                intKey(file, json, "hidden_size"),
                intKey(file, json, family.expertSizeKey()),
                intKey(file, json, family.expertsKey()),
                intKey(file, json, "num_experts_per_tok"),
                intKey(file, json, "num_hidden_layers"),
                json.path("norm_topk_prob").asBoolean(false));
    }

    private static int intKey(Path file, JsonNode json, String key) {
        JsonNode value = json.get(key);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": key " + key + " is missing or not an integer");
        }
        return value.intValue();
    }
}
