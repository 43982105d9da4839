package io.moestream.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moestream.core.io.Mxfp4;
import io.moestream.core.io.SafetensorsWriter;
import io.moestream.core.io.SafetensorsWriter.TensorHeader;
import io.moestream.core.io.TensorStore;
import io.moestream.core.routing.RouterSpec;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Writes a seeded random MoE model in the Hugging Face layout of its family: {@code config.json} and an F32 (or BF16)
 * {@code model.safetensors} holding only the MoE tensors. Weights are Gaussian scaled by
 * {@code 1/sqrt(fan_in)}, so unit-scale inputs give outputs of order one; GPT-OSS's {@code gate_up_proj} by
 * {@value GeneratedTensors#GPT_OSS_GATE_UP_SCALE}{@code /sqrt(fan_in)}, so that about 5% of the gate and up values of unit-scale
 * inputs lie beyond its clamp limit of ±7 and the clamps act. Each tensor has its own seed derived from the spec's
 * seed and its position, and tensors are streamed to disk one at a time.
 */
public final class ModelGenerator {
    private ModelGenerator() {
    }

    /** How the routed experts' tensors are stored. */
    public enum ExpertLayout {
        /** {@code experts.{e}.gate_proj/up_proj/down_proj.weight} (Mixtral: {@code w1/w3/w2}), one tensor each. */
        PER_EXPERT,
        /**
         * {@code experts.gate_up_proj [E, 2I, H]} (gate rows, then up rows) and {@code experts.down_proj [E, H, I]};
         * GPT-OSS and Llama-4 always have their own fused layout, input-major, whichever layout is asked for.
         */
        FUSED,
        /**
         * GPT-OSS only: its fused experts packed as MXFP4, {@code gate_up_proj_blocks/_scales} and
         * {@code down_proj_blocks/_scales} (U8), with {@code quantization_config.quant_method: mxfp4}.
         */
        MXFP4
    }

    /** How the checkpoint presents the model. */
    public enum Packaging {
        /** The MoE text model itself. */
        TEXT_MODEL,
        /**
         * Llama-4's multimodal checkpoint: {@code model_type llama4} with the text model's config in
         * {@code text_config}, every tensor name behind {@code language_model.}.
         */
        LLAMA4_MULTIMODAL
    }

    public static void generate(Path outDir, ModelSpec spec) {
        generate(outDir, spec, ExpertLayout.PER_EXPERT);
    }

    /**
     * Writes the model with its routed experts in {@code layout}. The fused layout holds a layer's experts in one
     * tensor, which the generator builds in memory: meant for small models.
     */
    public static void generate(Path outDir, ModelSpec spec, ExpertLayout layout) {
        generate(outDir, spec, layout, GateSkew.NONE);
    }

    /**
     * One routed expert's gate row multiplied by {@code factor} in every MoE layer: its logit grows in magnitude, so the
     * tokens on the positive side of its row pick it almost always. A skewed model for load-imbalance tests and demos.
     */
    public record GateSkew(int expert, float factor) {
        public static final GateSkew NONE = new GateSkew(0, 1f);

        public GateSkew {
            if (expert < 0 || !(factor > 0) || Float.isInfinite(factor)) {
                throw new IllegalArgumentException("gate skew needs an expert >= 0 and a finite factor > 0, got expert "
                        + expert + ", factor " + factor);
            }
        }
    }

    /** Writes the model with its routed experts in {@code layout} and {@code skew} applied to every layer's gate. */
    public static void generate(Path outDir, ModelSpec spec, ExpertLayout layout, GateSkew skew) {
        generate(outDir, spec, layout, skew, Packaging.TEXT_MODEL);
    }

    /** As above, packaged as {@code packaging} says. */
    public static void generate(Path outDir, ModelSpec spec, ExpertLayout layout, GateSkew skew, Packaging packaging) {
        generate(outDir, spec, layout, skew, packaging, DType.FP32);
    }

    /**
     * As above, with the float tensors stored as {@code dtype} (FP32, or BF16 as Hugging Face ships most MoE models:
     * the same seeded weights rounded to nearest) and {@code torch_dtype} saying so.
     */
    public static void generate(Path outDir, ModelSpec spec, ExpertLayout layout, GateSkew skew, Packaging packaging,
            DType dtype) {
        if (dtype != DType.FP32 && dtype != DType.BF16 && dtype != DType.FP16) {
            throw new IllegalArgumentException("a checkpoint's dtype is FP32, BF16 or FP16, got " + dtype);
        }
        MoeConfig config = spec.config();
        if (skew.expert() >= config.numExperts()) {
            throw new IllegalArgumentException("gate skew expert " + skew.expert() + " is not one of the model's "
                    + config.numExperts() + " routed experts");
        }
        if (layout == ExpertLayout.MXFP4 && config.family() != ModelFamily.GPT_OSS) {
            throw new IllegalArgumentException("MXFP4 experts are GPT-OSS's; " + config.modelType() + " has none");
        }
        if (packaging == Packaging.LLAMA4_MULTIMODAL && config.family() != ModelFamily.LLAMA4_TEXT) {
            throw new IllegalArgumentException("the multimodal packaging is Llama-4's, not " + config.modelType() + "'s");
        }
        String prefix = packaging == Packaging.LLAMA4_MULTIMODAL ? MoeModel.MULTIMODAL_PREFIX : "";
        try {
            Files.createDirectories(outDir);
            writeConfig(outDir.resolve(MoeConfig.CONFIG_FILE), config, layout, packaging, dtype);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model config into " + outDir, e);
        }
        List<TensorHeader> headers = GeneratedTensors.tensorHeaders(config, layout).stream()
                .map(h -> new TensorHeader(prefix + h.name(), h.rows(), h.cols(), h.vector(), h.matrices(), h.u8Shape()))
                .toList();
        Map<String, TensorHeader> byName = new HashMap<>();
        for (TensorHeader h : headers) {
            byName.put(h.name(), h);
        }
        // seeds follow the float layout's tensors, so an MXFP4 model packs the weights of the float one of its spec
        Map<String, Long> seeds = new HashMap<>();
        Random seedSource = new Random(spec.seed());
        for (TensorHeader h : GeneratedTensors.tensorHeaders(config, layout == ExpertLayout.MXFP4 ? ExpertLayout.FUSED : layout)) {
            seeds.put(prefix + h.name(), seedSource.nextLong());
        }
        Set<String> gates = new HashSet<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            gates.add(prefix + config.family().gateTensor(layer));
        }
        Map<String, Mxfp4.Packed> packed = new HashMap<>();
        SafetensorsWriter.write(outDir.resolve(TensorStore.SINGLE_FILE), headers, name -> {
            Matrix weights = GeneratedTensors.gaussian(byName.get(name), seeds.get(name),
                    GeneratedTensors.scale(config, name, byName.get(name)));
            return gates.contains(name) ? GeneratedTensors.scaleRow(weights, skew.expert(), skew.factor()) : weights;
        }, name -> {
            // the blocks come first: pack the float tensor then, and keep its scales until they are asked for
            boolean blocks = name.endsWith(BLOCKS);
            String weight = name.substring(0, name.length() - (blocks ? BLOCKS.length() : SCALES.length()));
            Mxfp4.Packed tensor = blocks
                    ? GeneratedTensors.packInputMajor(config, weight, seeds.get(weight))
                    : packed.remove(weight);
            if (blocks) {
                packed.put(weight, tensor);
            }
            return blocks ? tensor.blocks() : tensor.scales();
        }, dtype);
    }

    private static final String BLOCKS = "_blocks";
    private static final String SCALES = "_scales";

    private static void writeConfig(Path file, MoeConfig c, ExpertLayout layout, Packaging packaging, DType dtype)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        ModelFamily family = c.family();
        json.put("architectures", List.of(family.architecture()));
        json.put("model_type", family.modelType());
        json.put("hidden_size", c.dModel());
        json.put(family.expertSizeKey(), c.dFf());
        json.put(family.expertsKey(), c.numExperts());
        json.put("num_experts_per_tok", c.topK());
        json.put("num_hidden_layers", c.numLayers());
        RouterSpec router = c.router();
        switch (family) {
            case MIXTRAL -> { }
            case QWEN2_MOE -> {
                json.put("norm_topk_prob", router.renormalize());
                json.put("shared_expert_intermediate_size", c.sharedExpertDFf());
            }
            case QWEN3_MOE, OLMOE -> json.put("norm_topk_prob", router.renormalize());
            case DEEPSEEK_V2, DEEPSEEK_V3 -> {
                json.put("n_shared_experts", c.sharedExpertDFf() / c.dFf());
                json.put("routed_scaling_factor", router.scalingFactor());
                json.put("n_group", router.groups());
                json.put("topk_group", router.topGroups());
                if (family == ModelFamily.DEEPSEEK_V2) {
                    json.put("topk_method", router.groups() > 1 ? "group_limited_greedy" : "greedy");
                } else {
                    json.put("topk_method", "noaux_tc");
                    json.put("norm_topk_prob", router.renormalize());
                }
            }
            case GPT_OSS -> json.put("swiglu_limit", c.activation().limit());
            case LLAMA4_TEXT -> {
                json.put("interleave_moe_layer_step", 1);
                json.put("intermediate_size_mlp", 2 * c.dFf());
            }
        }
        json.put("torch_dtype", switch (dtype) {
            case BF16 -> "bfloat16";
            case FP16 -> "float16";
            default -> "float32";
        });
        if (layout == ExpertLayout.MXFP4) {
            json.put("quantization_config", Map.of("quant_method", MoeConfig.MXFP4));
        }
        if (packaging == Packaging.LLAMA4_MULTIMODAL) {
            Map<String, Object> multimodal = new LinkedHashMap<>();
            multimodal.put("architectures", List.of("Llama4ForConditionalGeneration"));
            multimodal.put("model_type", MoeConfig.LLAMA4_MULTIMODAL);
            json.remove("architectures");
            multimodal.put("text_config", json);
            json = multimodal;
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }
}
