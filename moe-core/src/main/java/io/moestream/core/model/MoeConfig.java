package io.moestream.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.kernel.GluActivation;
import io.moestream.core.routing.RouterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The MoE shape of a model, read from its Hugging Face {@code config.json}: {@code model_type} picks the
 * {@link ModelFamily}, which names the keys of the expert count and size; every family has {@code hidden_size},
 * {@code num_experts_per_tok} and {@code num_hidden_layers}. Router keys missing from the file take the Hugging
 * Face defaults of that family (see {@link #read}).
 *
 * @param sharedExpertDFf   hidden size of the shared expert, 0 when the family has none
 * @param activation        the routed experts' gated activation (GPT-OSS's clamped SwiGLU, SiLU-GLU otherwise)
 * @param declaredMoeLayers the layers the config declares MoE layers (Llama-4's {@code moe_layers}; every layer for
 *                          the other families, whose dense layers are told apart by their missing router weight)
 */
public record MoeConfig(ModelFamily family, int dModel, int dFf, int numExperts, int numLayers, RouterSpec router,
                        int sharedExpertDFf, GluActivation activation, SortedSet<Integer> declaredMoeLayers) {
    public static final String CONFIG_FILE = "config.json";
    /** The {@code model_type} of Llama-4's multimodal checkpoints, whose text model is in {@code text_config}. */
    public static final String LLAMA4_MULTIMODAL = "llama4";
    /** The one {@code quantization_config.quant_method} served: GPT-OSS's MXFP4 experts, dequantized on load. */
    public static final String MXFP4 = "mxfp4";
    /** GPT-OSS's {@code swiglu_limit} when the config has none. */
    private static final float DEFAULT_SWIGLU_LIMIT = 7.0f;

    /** A config with the family's default activation (GPT-OSS: limit 7.0) and every layer declared MoE. */
    public MoeConfig(ModelFamily family, int dModel, int dFf, int numExperts, int numLayers, RouterSpec router,
                     int sharedExpertDFf) {
        this(family, dModel, dFf, numExperts, numLayers, router, sharedExpertDFf,
                family == ModelFamily.GPT_OSS ? GluActivation.clampedSwiGlu(DEFAULT_SWIGLU_LIMIT) : GluActivation.SILU_GLU,
                allLayers(numLayers));
    }

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
        if (activation.clamped() != (family == ModelFamily.GPT_OSS)) {
            throw new IllegalArgumentException(family.modelType() + " experts " + (activation.clamped()
                    ? "have no clamped activation" : "need the clamped SwiGLU"));
        }
        if (declaredMoeLayers.isEmpty() || declaredMoeLayers.first() < 0 || declaredMoeLayers.last() >= numLayers) {
            throw new IllegalArgumentException("MoE layers " + declaredMoeLayers + " are not a non-empty subset of the "
                    + numLayers + " layers [0, " + numLayers + ")");
        }
        declaredMoeLayers = Collections.unmodifiableSortedSet(new TreeSet<>(declaredMoeLayers));
    }

    private static SortedSet<Integer> allLayers(int numLayers) {
        SortedSet<Integer> layers = new TreeSet<>();
        for (int layer = 0; layer < numLayers; layer++) {
            layers.add(layer);
        }
        return layers;
    }

    /** A Mixtral config (softmax, top-k, always renormalized, no shared expert). */
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
     * (Mixtral always renormalizes; DeepSeek-V3 defaults to true); DeepSeek-V2 {@code topk_method} greedy,
     * {@code routed_scaling_factor} 1.0, {@code n_shared_experts} 2; DeepSeek-V3 {@code routed_scaling_factor} 2.5,
     * {@code n_group} 8, {@code topk_group} 4, {@code n_shared_experts} 1; GPT-OSS {@code swiglu_limit} 7.0;
     * Llama-4 {@code moe_layers} every {@code interleave_moe_layer_step}-th layer (default 1: all), counted from
     * layer {@code step - 1}. A multimodal Llama-4 config ({@code model_type} {@code llama4}) is read from its
     * {@code text_config}. A {@code quantization_config} other than GPT-OSS's {@code mxfp4} is refused.
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
        ConfigKeys keys = new ConfigKeys(file, json);
        String modelType = json.path("model_type").asText("");
        if (modelType.equals(LLAMA4_MULTIMODAL)) {
            keys = textConfig(file, json);
            modelType = keys.text("model_type", ModelFamily.LLAMA4_TEXT.modelType());
        }
        String type = modelType;
        ModelFamily family = ModelFamily.of(type).orElseThrow(() -> new IllegalArgumentException(file
                + ": model_type '" + type + "' is not supported (supported: "
                + Arrays.stream(ModelFamily.values()).map(ModelFamily::modelType).toList() + ", and "
                + LLAMA4_MULTIMODAL + " with a llama4_text text_config)"));
        checkQuantization(file, family, json.path("quantization_config"));
        int dFf = keys.integer(family.expertSizeKey());
        int numLayers = keys.integer("num_hidden_layers");
        return new MoeConfig(family,
                keys.integer("hidden_size"),
                dFf,
                keys.integer(family.expertsKey()),
                numLayers,
                routerSpec(family, keys),
                sharedExpertDFf(family, keys, dFf),
                family == ModelFamily.GPT_OSS
                        ? GluActivation.clampedSwiGlu(keys.decimal("swiglu_limit", DEFAULT_SWIGLU_LIMIT))
                        : GluActivation.SILU_GLU,
                declaredMoeLayers(family, keys, numLayers));
    }

    private static ConfigKeys textConfig(Path file, JsonNode json) {
        JsonNode text = json.get("text_config");
        if (text == null || !text.isObject()) {
            throw new IllegalArgumentException(file + ": model_type " + LLAMA4_MULTIMODAL
                    + " needs a text_config object (the text model's config)");
        }
        return new ConfigKeys(file, text, "text_config.");
    }

    private static void checkQuantization(Path file, ModelFamily family, JsonNode quantization) {
        if (quantization.isMissingNode() || quantization.isNull()) {
            return;
        }
        String method = quantization.path("quant_method").asText("");
        if (!(method.equals(MXFP4) && family == ModelFamily.GPT_OSS)) {
            throw new IllegalArgumentException(file + ": quantization_config.quant_method '" + method + "' of a "
                    + family.modelType() + " model is not supported (supported: " + MXFP4 + " for gpt_oss)");
        }
    }

    private static SortedSet<Integer> declaredMoeLayers(ModelFamily family, ConfigKeys keys, int numLayers) {
        if (family != ModelFamily.LLAMA4_TEXT) {
            return allLayers(numLayers);
        }
        int step = keys.integer("interleave_moe_layer_step", 1);
        if (step < 1) {
            throw keys.invalid("interleave_moe_layer_step", "is " + step + ", not a positive step");
        }
        SortedSet<Integer> layers = new TreeSet<>();
        for (int layer : keys.integers("moe_layers").orElse(List.of())) {
            if (layer < 0 || layer >= numLayers) {
                throw keys.invalid("moe_layers", "names layer " + layer + ", outside [0, " + numLayers + ")");
            }
            layers.add(layer);
        }
        if (keys.integers("moe_layers").isEmpty()) {
            for (int layer = step - 1; layer < numLayers; layer += step) {
                layers.add(layer);
            }
        }
        return layers;
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
            case GPT_OSS -> RouterSpec.softmaxOfTopK(topK);
            case LLAMA4_TEXT -> RouterSpec.sigmoidOfTopK(topK);
        };
    }

    private static int sharedExpertDFf(ModelFamily family, ConfigKeys keys, int dFf) {
        return switch (family) {
            case QWEN2_MOE -> keys.integer("shared_expert_intermediate_size");
            case DEEPSEEK_V2 -> dFf * keys.integer("n_shared_experts", 2);
            case DEEPSEEK_V3 -> dFf * keys.integer("n_shared_experts", 1);
            case LLAMA4_TEXT -> dFf;
            default -> 0;
        };
    }
}
