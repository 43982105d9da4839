package io.moestream.tools.cli;

import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeConfig;
import io.moestream.proto.v1.DType;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code moe gen-model}: writes a seeded random model of one family (config.json + model.safetensors). */
@Command(name = "gen-model", mixinStandardHelpOptions = true,
        description = "Write a seeded random MoE model of one family (Mixtral by default) in Hugging Face layout.")
public final class GenModelCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--family", defaultValue = "mixtral",
            description = "model_type: mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2, deepseek_v3, gpt_oss or "
                    + "llama4_text; or llama4 for Llama-4's multimodal checkpoint (text_config, names under language_model.) "
                    + "(default ${DEFAULT-VALUE}).")
    String family;

    @Option(names = "--mxfp4",
            description = "gpt_oss only: store the experts as MXFP4 blocks and scales, as the released checkpoints do.")
    boolean mxfp4;

    @Option(names = "--norm-topk-prob", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Renormalize the top-k weights (qwen*, olmoe, deepseek_v3; Mixtral always does, DeepSeek-V2 never; default ${DEFAULT-VALUE}).")
    boolean normTopkProb;

    @Option(names = "--experts", defaultValue = "8", description = "Experts per layer (default ${DEFAULT-VALUE}).")
    int experts;

    @Option(names = "--top-k", defaultValue = "2", description = "Experts per token (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--d-model", defaultValue = "1024", description = "Hidden size (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--d-ff", defaultValue = "3584", description = "Expert FFN size (default ${DEFAULT-VALUE}).")
    int dFf;

    @Option(names = "--layers", defaultValue = "1", description = "MoE layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--fused-experts",
            description = "Store each layer's routed experts in the fused layout of newer checkpoints: "
                    + "experts.gate_up_proj [E, 2*d_ff, d_model] (gate rows, then up rows) and experts.down_proj [E, d_model, d_ff].")
    boolean fusedExperts;

    @Option(names = "--skew-expert",
            description = "Scale this routed expert's gate row in every layer by --skew-factor: a model that routes unevenly, "
                    + "for load-imbalance demos and tests.")
    Integer skewExpert;

    @Option(names = "--skew-factor", defaultValue = "8", description = "Gate row factor of --skew-expert (default ${DEFAULT-VALUE}).")
    float skewFactor;

    @Option(names = "--dtype", defaultValue = "fp32",
            description = "Dtype of the stored weights: fp32 or bf16 (default ${DEFAULT-VALUE}); a bf16 checkpoint runs "
                    + "on the BF16 experts under --compute-dtype auto where the CPU has BF16 units.")
    String dtype;

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        boolean multimodal = family.equals(MoeConfig.LLAMA4_MULTIMODAL);
        ModelFamily modelFamily = (multimodal ? Optional.of(ModelFamily.LLAMA4_TEXT) : ModelFamily.of(family))
                .orElseThrow(() -> new ParameterException(spec.commandLine(), "--family " + family + " is not one of "
                        + java.util.Arrays.stream(ModelFamily.values()).map(ModelFamily::modelType).toList() + " or "
                        + MoeConfig.LLAMA4_MULTIMODAL));
        if (mxfp4 && modelFamily != ModelFamily.GPT_OSS) {
            throw new ParameterException(spec.commandLine(), "--mxfp4 applies to --family gpt_oss only");
        }
        ModelGenerator.ExpertLayout layout = mxfp4 ? ModelGenerator.ExpertLayout.MXFP4
                : fusedExperts ? ModelGenerator.ExpertLayout.FUSED : ModelGenerator.ExpertLayout.PER_EXPERT;
        ModelGenerator.GateSkew skew;
        try {
            skew = skewExpert == null ? ModelGenerator.GateSkew.NONE : new ModelGenerator.GateSkew(skewExpert, skewFactor);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        DType weightsDtype = switch (dtype.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "fp32" -> DType.FP32;
            case "bf16" -> DType.BF16;
            default -> throw new ParameterException(spec.commandLine(), "--dtype must be fp32 or bf16, got '" + dtype + "'");
        };
        ModelGenerator.generate(out, new ModelSpec(modelFamily, layers, experts, topK, dModel, dFf, normTopkProb, seed),
                layout, skew, multimodal ? ModelGenerator.Packaging.LLAMA4_MULTIMODAL : ModelGenerator.Packaging.TEXT_MODEL,
                weightsDtype);
        System.out.printf("wrote %s: %s, %d layer(s), %d experts, top-%d, d_model %d, d_ff %d, %s, seed %d%s%s%n",
                out, family, layers, experts, topK, dModel, dFf, weightsDtype == DType.BF16 ? "bf16" : "fp32", seed,
                modelFamily.inputMajorExperts() ? ", fused input-major experts" + (mxfp4 ? " in MXFP4" : "")
                        : fusedExperts ? ", fused experts" : "",
                skewExpert == null ? "" : ", gate row of expert " + skewExpert + " x" + skewFactor);
        return 0;
    }
}
