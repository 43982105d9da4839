package io.moestream.tools.cli;

import io.moestream.core.kernel.ComputeDtype;
import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.layer.LayerOutput;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.proto.v1.DType;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moe demo}: generates a model, starts the whole stack with the embedded broker, streams random
 * tokens through the gateway, and checks the output against the in-process reference layer.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "gen-model + up + infer end to end, then the error against the in-process reference layer.")
public final class DemoCommand implements Callable<Integer> {
    /** The pass mark of the demo: the pipeline must match the reference to this norm-wise relative error. */
    static final double MAX_REL_ERROR = 1e-4;

    @Option(names = "--tokens", defaultValue = "4096", description = "Tokens to stream (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--chunk-rows", defaultValue = "128", description = "Tokens per chunk (default ${DEFAULT-VALUE}).")
    int chunkRows;

    @Option(names = "--experts", defaultValue = "8", description = "Experts (default ${DEFAULT-VALUE}).")
    int experts;

    @Option(names = "--top-k", defaultValue = "2", description = "Experts per token (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--d-model", defaultValue = "1024", description = "Hidden size (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--d-ff", defaultValue = "3584", description = "Expert FFN size (default ${DEFAULT-VALUE}).")
    int dFf;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the model and the tokens (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", defaultValue = "fp32",
            description = "Dtype of the generated checkpoint: fp32, or bf16 (its experts then compute in BF16 where the"
                    + " CPU has BF16 units, and the reference layer on the same backend) (default ${DEFAULT-VALUE}).")
    String dtype;

    @Override
    public Integer call() throws Exception {
        Path modelDir = Files.createTempDirectory("moe-demo-model-");
        try {
            return run(modelDir);
        } finally {
            try (var files = Files.list(modelDir)) {
                files.forEach(file -> file.toFile().delete());
            }
            Files.deleteIfExists(modelDir);
        }
    }

    private int run(Path modelDir) throws Exception {
        DType weights = switch (dtype) {
            case "fp32" -> DType.FP32;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be fp32 or bf16, got '" + dtype + "'");
        };
        step("generating a %d-expert top-%d %s model, d_model %d, d_ff %d (seed %d)", experts, topK, dtype, dModel, dFf,
                seed);
        ModelGenerator.generate(modelDir, new ModelSpec(1, experts, topK, dModel, dFf, seed),
                ModelGenerator.ExpertLayout.PER_EXPERT, ModelGenerator.GateSkew.NONE, ModelGenerator.Packaging.TEXT_MODEL,
                weights);
        // the experts' backend under the default compute dtype: the reference computes on the same one
        KernelBackend backend = ComputeDtype.AUTO.select(weights);
        Matrix x = Matrix.gaussian(tokens, dModel, seed + 1);

        step("starting the stack (embedded Kafka broker, router, expert service, gateway)");
        Matrix y;
        double seconds;
        try (LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir),
                line -> System.out.println("    " + line))) {
            step("streaming %d tokens in chunks of %d through %s", tokens, chunkRows, stack.gatewayAddress());
            try (GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
                // A first small request warms up the JIT and the Kafka connections on every hop.
                client.infer("demo-warmup", 0, Matrix.gaussian(chunkRows, dModel, seed + 2), chunkRows, Duration.ofMinutes(2));
                long start = System.nanoTime();
                y = client.infer("demo", 0, x, chunkRows, Duration.ofMinutes(10));
                seconds = (System.nanoTime() - start) / 1e9;
            }
            step("stopping the stack");
        }

        step("computing the in-process reference layer on %s", backend);
        LayerOutput reference;
        try (MoeModel model = MoeModel.open(modelDir);
             ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 0, RoutingOptions.NONE, backend)) {
            reference = layer.forwardWithStats(x);
        }
        ErrorStats error = ErrorStats.compare(y, reference.output());
        System.out.println();
        System.out.printf("tokens:             %d in %.2f s through the pipeline = %.0f tokens/s%n",
                tokens, seconds, tokens / seconds);
        System.out.printf("max abs error:      %.3e%n", error.maxAbsError());
        System.out.printf("max rel error:      %.3e (max |y - ref| / max |ref|; pass mark %.0e)%n",
                error.maxRelError(), MAX_REL_ERROR);
        System.out.println("tokens per expert:  " + tokensPerExpert(reference.tokensPerExpert()) + " (top-" + topK
                + " routing of the reference)");
        boolean pass = error.maxRelError() < MAX_REL_ERROR;
        System.out.println(pass ? "PASS: the pipeline matches the reference layer"
                : "FAIL: the pipeline differs from the reference layer");
        return pass ? 0 : 1;
    }

    private static String tokensPerExpert(long[] counts) {
        StringBuilder s = new StringBuilder();
        for (int e = 0; e < counts.length; e++) {
            s.append(e == 0 ? "" : "  ").append('e').append(e).append('=').append(counts[e]);
        }
        return s.toString();
    }

    private static void step(String format, Object... args) {
        System.out.printf("==> " + format + "%n", args);
    }
}
