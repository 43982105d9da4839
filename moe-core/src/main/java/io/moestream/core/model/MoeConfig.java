package io.moestream.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.routing.RouterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The MoE shape of a model, read from its Hugging Face {@code config.json}: {@code model_type} picks the
 * {@link ModelFamily}, which names the keys of the expert count and size; every family has {@code hidden_size},
 * {@code num_experts_per_tok} and {@code num_hidden_layers}. Router keys missing from the file take the Hugging
 * Face defaults of that family (see {@link #read}).
 *
 * @param sharedExpertDFf hidden size of the shared expert, 0 when the family has none
 */
public record MoeConfig(ModelFamily family, int dModel, int dFf, int numExperts, int numLayers, RouterSpec router,
                        int sharedExpertDFf) {
    public static final String CONFIG_FILE = "config.json";

    public MoeConfig {
        if (dModel < 1 || dFf < 1 || numExperts < 1 || numLayers < 1) {
            throw new IllegalArgumentException("d_model, d_ff, experts and layers must be positive: d_model=" + dModel
                    + " d_ff=" + dFf + " experts=" + numExperts + " layers=" + numLayers);
        }
        if (router.topK() > numExperts) {
            throw new IllegalArgumentException("top-k " + router.topK() + " is outside [1, " + numExperts + "]");
        }
        router.checkFits(numExperts);
        if (family.hasSharedExpert() != (sharedExpertDFf > 0)) {
            throw new IllegalArgumentException(family.modelType() + (family.hasSharedExpert()
                    ? " needs a positive shared expert size" : " has no shared expert") + ", got " + sharedExpertDFf);
        }
        if (family.hasCorrectionBias() != router.correctionBias()) {
            throw new IllegalArgumentException(family.modelType() + " routing "
                    + (family.hasCorrectionBias() ? "needs" : "has no") + " correction bias");
        }
    }

    /** A Mixtral config (softmax, top-k, always renormalised, no shared expert). */
    public static MoeConfig mixtral(int dModel, int dFf, int numExperts, int topK, int numLayers) {
        return new MoeConfig(ModelFamily.MIXTRAL, dModel, dFf, numExperts, numLayers, RouterSpec.softmaxTopK(topK, true), 0);
    }

    public String modelType() {
        return family.modelType();
    }

    public int topK() {
        return router.topK();
    }

    /** Experts with a topic and a service per layer: the routed ones, then the shared expert (id numExperts). */
    public int servedExperts() {
        return numExperts + (family.hasSharedExpert() ? 1 : 0);
    }

    /**
     * Reads {@code config.json}. Defaults for absent router keys, as in Hugging Face: {@code norm_topk_prob} false
     * (Mixtral always renormalises; DeepSeek-V3 defaults to true); DeepSeek-V2 {@code topk_method} greedy,
     * {@code routed_scaling_factor} 1.0, {@code n_shared_experts} 2; DeepSeek-V3 {@code routed_scaling_factor} 2.5,
     * {@code n_group} 8, {@code topk_group} 4, {@code n_shared_experts} 1.
     */
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
        ConfigKeys keys = new ConfigKeys(file, json);
        int dFf = keys.integer(family.expertSizeKey());
        return new MoeConfig(family,
                keys.integer("hidden_size"),
                dFf,
                keys.integer(family.expertsKey()),
                keys.integer("num_hidden_layers"),
                routerSpec(family, keys),
                sharedExpertDFf(family, keys, dFf));
    }

    private static RouterSpec routerSpec(ModelFamily family, ConfigKeys keys) {
        int topK = keys.integer("num_experts_per_tok");
        return switch (family) {
            case MIXTRAL -> RouterSpec.softmaxTopK(topK, true);
            case QWEN2_MOE, QWEN3_MOE, OLMOE -> RouterSpec.softmaxTopK(topK, keys.bool("norm_topk_prob", false));
            case DEEPSEEK_V2 -> {
                String method = keys.text("topk_method", "greedy");
                boolean grouped = switch (method) {
                    case "greedy" -> false;
                    case "group_limited_greedy" -> true;
                    default -> throw keys.invalid("topk_method", "'" + method + "' is not greedy or group_limited_greedy");
                };
                yield new RouterSpec(RouterSpec.Scoring.SOFTMAX, topK, false,
                        keys.decimal("routed_scaling_factor", 1.0f),
                        grouped ? keys.integer("n_group") : 1, grouped ? keys.integer("topk_group") : 1,
                        RouterSpec.GroupScore.MAX, false);
            }
            case DEEPSEEK_V3 -> new RouterSpec(RouterSpec.Scoring.SIGMOID, topK, keys.bool("norm_topk_prob", true),
                    keys.decimal("routed_scaling_factor", 2.5f), keys.integer("n_group", 8), keys.integer("topk_group", 4),
                    RouterSpec.GroupScore.TOP2_SUM, true);
        };
    }

    private static int sharedExpertDFf(ModelFamily family, ConfigKeys keys, int dFf) {
        return switch (family) {
            case QWEN2_MOE -> keys.integer("shared_expert_intermediate_size");
            case DEEPSEEK_V2 -> dFf * keys.integer("n_shared_experts", 2);
            case DEEPSEEK_V3 -> dFf * keys.integer("n_shared_experts", 1);
            default -> 0;
        };
    }
}
