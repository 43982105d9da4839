package io.moestream.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moestream.core.io.Mxfp4;
import io.moestream.core.io.SafetensorsWriter;
import io.moestream.core.io.SafetensorsWriter.TensorHeader;
import io.moestream.core.io.TensorStore;
import io.moestream.core.model.ModelFamily.FusedProjection;
import io.moestream.core.model.ModelFamily.Mxfp4Part;
import io.moestream.core.model.ModelFamily.SwiGluProjection;
import io.moestream.core.routing.RouterSpec;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Writes a seeded random MoE model in the Hugging Face layout of its family: {@code config.json} and an F32
 * {@code model.safetensors} holding only the MoE tensors. Weights are Gaussian scaled by
 * {@code 1/sqrt(fan_in)}, so unit-scale inputs give outputs of order one; GPT-OSS's {@code gate_up_proj} by
 * {@value #GPT_OSS_GATE_UP_SCALE}{@code /sqrt(fan_in)}, so that about 5% of the gate and up values of unit-scale
 * inputs lie beyond its clamp limit of ±7 and the clamps act. Each tensor has its own seed derived from the spec's
 * seed and its position, and tensors are streamed to disk one at a time.
 */
public final class ModelGenerator {
    /** Standard deviation of GPT-OSS's gate and up values for unit-variance inputs: |z| > 7 is 2 sigma, about 5%. */
    static final double GPT_OSS_GATE_UP_SCALE = 3.5;

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
            writeConfig(outDir.resolve(MoeConfig.CONFIG_FILE), config, layout, packaging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model config into " + outDir, e);
        }
        List<TensorHeader> headers = tensorHeaders(config, layout).stream()
                .map(h -> new TensorHeader(prefix + h.name(), h.rows(), h.cols(), h.vector(), h.matrices(), h.u8Shape()))
                .toList();
        Map<String, TensorHeader> byName = new HashMap<>();
        for (TensorHeader h : headers) {
            byName.put(h.name(), h);
        }
        // seeds follow the float layout's tensors, so an MXFP4 model packs the weights of the float one of its spec
        Map<String, Long> seeds = new HashMap<>();
        Random seedSource = new Random(spec.seed());
        for (TensorHeader h : tensorHeaders(config, layout == ExpertLayout.MXFP4 ? ExpertLayout.FUSED : layout)) {
            seeds.put(prefix + h.name(), seedSource.nextLong());
        }
        Set<String> gates = new HashSet<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            gates.add(prefix + config.family().gateTensor(layer));
        }
        Map<String, Mxfp4.Packed> packed = new HashMap<>();
        SafetensorsWriter.write(outDir.resolve(TensorStore.SINGLE_FILE), headers, name -> {
            Matrix weights = gaussian(byName.get(name), seeds.get(name), scale(config, name, byName.get(name)));
            return gates.contains(name) ? scaleRow(weights, skew.expert(), skew.factor()) : weights;
        }, name -> {
            // the blocks come first: pack the float tensor then, and keep its scales until they are asked for
            boolean blocks = name.endsWith(BLOCKS);
            String weight = name.substring(0, name.length() - (blocks ? BLOCKS.length() : SCALES.length()));
            Mxfp4.Packed tensor = blocks
                    ? packInputMajor(config, weight, seeds.get(weight))
                    : packed.remove(weight);
            if (blocks) {
                packed.put(weight, tensor);
            }
            return blocks ? tensor.blocks() : tensor.scales();
        }, DType.FP32);
    }

    private static final String BLOCKS = "_blocks";
    private static final String SCALES = "_scales";

    /**
     * The Gaussian scale of tensor {@code name}: {@code 1/sqrt(fan_in)}, fan_in the rows of an input-major expert
     * weight and the columns of the others; GPT-OSS's gate_up times {@link #GPT_OSS_GATE_UP_SCALE}.
     */
    private static double scale(MoeConfig config, String name, TensorHeader header) {
        boolean inputMajor = config.family().inputMajorExperts()
                && (name.endsWith("experts.gate_up_proj") || name.endsWith("experts.down_proj"));
        double scale = 1.0 / Math.sqrt(inputMajor ? header.rows() : header.cols());
        return config.family() == ModelFamily.GPT_OSS && name.endsWith("experts.gate_up_proj")
                ? scale * GPT_OSS_GATE_UP_SCALE
                : scale;
    }

    /**
     * The input-major weight {@code name} ({@code gate_up_proj [E, H, 2I]} or {@code down_proj [E, I, H]}) drawn as
     * the float layout draws it, each expert transposed to output-major and packed as MXFP4, experts in order.
     */
    private static Mxfp4.Packed packInputMajor(MoeConfig c, String name, long seed) {
        boolean gateUp = name.endsWith("gate_up_proj");
        int in = gateUp ? c.dModel() : c.dFf();
        int out = gateUp ? 2 * c.dFf() : c.dModel();
        TensorHeader header = TensorHeader.stacked(name, c.numExperts(), in, out);
        Matrix stacked = gaussian(header, seed, scale(c, name, header));
        ByteArrayOutputStream blocks = new ByteArrayOutputStream();
        ByteArrayOutputStream scales = new ByteArrayOutputStream();
        for (int e = 0; e < c.numExperts(); e++) {
            float[] expert = Arrays.copyOfRange(stacked.data(), e * in * out, (e + 1) * in * out);
            Mxfp4.Packed one = Mxfp4.quantize(new Matrix(in, out, expert).transpose());
            blocks.writeBytes(one.blocks());
            scales.writeBytes(one.scales());
        }
        return new Mxfp4.Packed(blocks.toByteArray(), scales.toByteArray());
    }

    private static List<TensorHeader> tensorHeaders(MoeConfig c, ExpertLayout layout) {
        List<TensorHeader> headers = new ArrayList<>();
        ModelFamily family = c.family();
        for (int layer = 0; layer < c.numLayers(); layer++) {
            headers.add(new TensorHeader(family.gateTensor(layer), c.numExperts(), c.dModel()));
            if (family.hasCorrectionBias()) {
                headers.add(TensorHeader.vector(family.correctionBiasTensor(layer), c.numExperts()));
            }
            if (family.hasRouterBias()) {
                headers.add(TensorHeader.vector(family.routerBiasTensor(layer), c.numExperts()));
            }
            if (family.inputMajorExperts()) {
                headers.addAll(inputMajorExpertHeaders(c, layer, layout == ExpertLayout.MXFP4));
            } else if (layout == ExpertLayout.FUSED) {
                headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.GATE_UP), c.numExperts(),
                        2 * c.dFf(), c.dModel()));
                headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.DOWN), c.numExperts(),
                        c.dModel(), c.dFf()));
            }
            for (int e = 0; e < c.numExperts() && layout == ExpertLayout.PER_EXPERT && !family.inputMajorExperts(); e++) {
                headers.add(new TensorHeader(family.expertTensor(layer, e, SwiGluProjection.GATE), c.dFf(), c.dModel()));
                headers.add(new TensorHeader(family.expertTensor(layer, e, SwiGluProjection.DOWN), c.dModel(), c.dFf()));
                headers.add(new TensorHeader(family.expertTensor(layer, e, SwiGluProjection.UP), c.dFf(), c.dModel()));
            }
            if (family.hasSharedExpert()) {
                int dFf = c.sharedExpertDFf();
                headers.add(new TensorHeader(family.sharedExpertTensor(layer, SwiGluProjection.GATE), dFf, c.dModel()));
                headers.add(new TensorHeader(family.sharedExpertTensor(layer, SwiGluProjection.DOWN), c.dModel(), dFf));
                headers.add(new TensorHeader(family.sharedExpertTensor(layer, SwiGluProjection.UP), dFf, c.dModel()));
            }
            if (family.sharedExpertGated()) {
                headers.add(new TensorHeader(family.sharedExpertGateTensor(layer), 1, c.dModel()));
            }
        }
        return headers;
    }

    /**
     * {@code gate_up_proj [E, H, 2I]} and {@code down_proj [E, I, H]}, or their MXFP4 blocks and scales (output-major),
     * and GPT-OSS's biases {@code [E, 2I]}, {@code [E, H]}.
     */
    private static List<TensorHeader> inputMajorExpertHeaders(MoeConfig c, int layer, boolean mxfp4) {
        ModelFamily family = c.family();
        List<TensorHeader> headers = new ArrayList<>();
        int experts = c.numExperts();
        if (mxfp4) {
            for (FusedProjection projection : FusedProjection.values()) {
                long out = projection == FusedProjection.GATE_UP ? 2L * c.dFf() : c.dModel();
                long groups = (projection == FusedProjection.GATE_UP ? c.dModel() : c.dFf()) / Mxfp4.BLOCK;
                headers.add(TensorHeader.u8(family.mxfp4Tensor(layer, projection, Mxfp4Part.BLOCKS), experts, out, groups,
                        Mxfp4.BLOCK / 2));
                headers.add(TensorHeader.u8(family.mxfp4Tensor(layer, projection, Mxfp4Part.SCALES), experts, out, groups));
            }
        } else {
            headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.GATE_UP), experts,
                    c.dModel(), 2 * c.dFf()));
            headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.DOWN), experts,
                    c.dFf(), c.dModel()));
        }
        if (family.hasExpertBiases()) {
            headers.add(new TensorHeader(family.fusedExpertBiasTensor(layer, FusedProjection.GATE_UP), c.numExperts(),
                    2 * c.dFf()));
            headers.add(new TensorHeader(family.fusedExpertBiasTensor(layer, FusedProjection.DOWN), c.numExperts(),
                    c.dModel()));
        }
        return headers;
    }

    private static Matrix scaleRow(Matrix m, int row, float factor) {
        float[] data = m.data();
        for (int c = 0; c < m.cols(); c++) {
            data[row * m.cols() + c] *= factor;
        }
        return m;
    }

    /** The tensor's data {@code [dataRows, cols]}, Gaussian times {@code scale}. */
    private static Matrix gaussian(TensorHeader h, long seed, double scale) {
        Random random = new Random(seed);
        float[] data = new float[Math.multiplyExact(h.dataRows(), h.cols())];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * scale);
        }
        return new Matrix(h.dataRows(), h.cols(), data);
    }

    private static void writeConfig(Path file, MoeConfig c, ExpertLayout layout, Packaging packaging) throws IOException {
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
                json.put("norm_topk_prob", router.renormalise());
                json.put("shared_expert_intermediate_size", c.sharedExpertDFf());
            }
            case QWEN3_MOE, OLMOE -> json.put("norm_topk_prob", router.renormalise());
            case DEEPSEEK_V2, DEEPSEEK_V3 -> {
                json.put("n_shared_experts", c.sharedExpertDFf() / c.dFf());
                json.put("routed_scaling_factor", router.scalingFactor());
                json.put("n_group", router.groups());
                json.put("topk_group", router.topGroups());
                if (family == ModelFamily.DEEPSEEK_V2) {
                    json.put("topk_method", router.groups() > 1 ? "group_limited_greedy" : "greedy");
                } else {
                    json.put("topk_method", "noaux_tc");
                    json.put("norm_topk_prob", router.renormalise());
                }
            }
            case GPT_OSS -> json.put("swiglu_limit", c.activation().limit());
            case LLAMA4_TEXT -> {
                json.put("interleave_moe_layer_step", 1);
                json.put("intermediate_size_mlp", 2 * c.dFf());
            }
        }
        json.put("torch_dtype", "float32");
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
