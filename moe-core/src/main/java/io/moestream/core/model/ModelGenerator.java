package io.moestream.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moestream.core.io.SafetensorsWriter;
import io.moestream.core.io.SafetensorsWriter.TensorHeader;
import io.moestream.core.io.TensorStore;
import io.moestream.core.model.ModelFamily.FusedProjection;
import io.moestream.core.model.ModelFamily.SwiGluProjection;
import io.moestream.core.routing.RouterSpec;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code 1/sqrt(fan_in)}, so unit-scale inputs give outputs of order one. Each tensor has its own
 * seed derived from the spec's seed and its position, and tensors are streamed to disk one at a time.
 */
public final class ModelGenerator {
    private ModelGenerator() {
    }

    /** How the routed experts' tensors are stored. */
    public enum ExpertLayout {
        /** {@code experts.{e}.gate_proj/up_proj/down_proj.weight} (Mixtral: {@code w1/w3/w2}), one tensor each. */
        PER_EXPERT,
        /** {@code experts.gate_up_proj [E, 2I, H]} (gate rows, then up rows) and {@code experts.down_proj [E, H, I]}. */
        FUSED
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
        MoeConfig config = spec.config();
        if (skew.expert() >= config.numExperts()) {
            throw new IllegalArgumentException("gate skew expert " + skew.expert() + " is not one of the model's "
                    + config.numExperts() + " routed experts");
        }
        try {
            Files.createDirectories(outDir);
            writeConfig(outDir.resolve(MoeConfig.CONFIG_FILE), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model config into " + outDir, e);
        }
        List<TensorHeader> headers = tensorHeaders(config, layout);
        Map<String, TensorHeader> byName = new HashMap<>();
        Map<String, Long> seeds = new HashMap<>();
        Random seedSource = new Random(spec.seed());
        for (TensorHeader h : headers) {
            byName.put(h.name(), h);
            seeds.put(h.name(), seedSource.nextLong());
        }
        Set<String> gates = new HashSet<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            gates.add(config.family().gateTensor(layer));
        }
        SafetensorsWriter.write(outDir.resolve(TensorStore.SINGLE_FILE), headers, name -> {
            Matrix weights = gaussian(byName.get(name), seeds.get(name));
            return gates.contains(name) ? scaleRow(weights, skew.expert(), skew.factor()) : weights;
        }, DType.FP32);
    }

    private static List<TensorHeader> tensorHeaders(MoeConfig c, ExpertLayout layout) {
        List<TensorHeader> headers = new ArrayList<>();
        ModelFamily family = c.family();
        for (int layer = 0; layer < c.numLayers(); layer++) {
            headers.add(new TensorHeader(family.gateTensor(layer), c.numExperts(), c.dModel()));
            if (family.hasCorrectionBias()) {
                headers.add(TensorHeader.vector(family.correctionBiasTensor(layer), c.numExperts()));
            }
            if (layout == ExpertLayout.FUSED) {
                headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.GATE_UP), c.numExperts(),
                        2 * c.dFf(), c.dModel()));
                headers.add(TensorHeader.stacked(family.fusedExpertTensor(layer, FusedProjection.DOWN), c.numExperts(),
                        c.dModel(), c.dFf()));
            }
            for (int e = 0; e < c.numExperts() && layout == ExpertLayout.PER_EXPERT; e++) {
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

    private static Matrix scaleRow(Matrix m, int row, float factor) {
        float[] data = m.data();
        for (int c = 0; c < m.cols(); c++) {
            data[row * m.cols() + c] *= factor;
        }
        return m;
    }

    /** Gaussian {@code [rows, cols]} scaled by {@code 1/sqrt(cols)}: every weight here maps cols inputs to one output. */
    private static Matrix gaussian(TensorHeader h, long seed) {
        Random random = new Random(seed);
        double scale = 1.0 / Math.sqrt(h.cols());
        float[] data = new float[Math.multiplyExact(h.dataRows(), h.cols())];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * scale);
        }
        return new Matrix(h.dataRows(), h.cols(), data);
    }

    private static void writeConfig(Path file, MoeConfig c) throws IOException {
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
        }
        json.put("torch_dtype", "float32");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }
}
