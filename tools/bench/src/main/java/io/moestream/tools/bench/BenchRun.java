package io.moestream.tools.bench;

import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One {@code moe bench} run, in order: the kernel limits and the reference layer in this process, with nothing else
 * of the pipeline running, then the stack with the embedded broker for the Kafka hop, the pipeline and memory
 * ({@link StackPhase}).
 */
public final class BenchRun {
    private final BenchSpec spec;
    private final Map<String, String> serviceProperties;
    private final Path flightRecordingDir;
    private final PrintStream out;

    /**
     * @param serviceProperties  system properties for every service of the stack, on top of their configuration
     * @param flightRecordingDir where to write a JFR recording of each stack process during the throughput runs, or null
     */
    public BenchRun(BenchSpec spec, Map<String, String> serviceProperties, Path flightRecordingDir, PrintStream out) {
        this.spec = spec;
        this.serviceProperties = Map.copyOf(serviceProperties);
        this.flightRecordingDir = flightRecordingDir;
        this.out = out;
    }

    public BenchReport run(Path modelDir) throws Exception {
        step("generating a %d-expert top-%d model, d_model %d, d_ff %d", spec.experts(), spec.topK(), spec.dModel(), spec.dFf());
        ModelGenerator.generate(modelDir, new ModelSpec(1, spec.experts(), spec.topK(), spec.dModel(), spec.dFf(), spec.seed()));
        Matrix x = TensorMessages.asSent(Matrix.gaussian(spec.tokens(), spec.dModel(), spec.seed() + 1), spec.dtype());
        List<KernelLimits.Point> kernel;
        Bf16Kernels bf16Kernels;
        ReferenceLimit.Result reference;
        try (MoeModel model = MoeModel.open(modelDir)) {
            step("1-2. sgemm and the expert kernel at %s rows", Arrays.toString(spec.kernelRows()));
            kernel = KernelLimits.measure(spec, model.expert(0, 0));
            step("2b. the kernels in FP32 and BF16 at %s rows", Arrays.toString(spec.kernelRows()));
            bf16Kernels = Bf16Kernels.measure(spec, model.expert(0, 0));
            step("3. the reference layer in this process");
            reference = ReferenceLimit.measure(model, x, spec.chunkRows());
        }
        step("starting the stack (embedded Kafka broker, router, expert service, gateway)");
        StackOptions stackOptions = StackOptions.forModel(modelDir).withExtraProperties(serviceProperties);
        StackPhase.Result measured;
        try (LocalStack stack = LocalStack.start(MoeHome.locate(), stackOptions, line -> out.println("    " + line))) {
            measured = new StackPhase(spec, stack, flightRecordingDir, out).measure(x, reference);
        }

        // the limits again, now that the stack is gone: each ratio takes the faster of the two runs, so a burst of load
        // from outside during the first one cannot flatter the pipeline or the kernel
        try (MoeModel model = MoeModel.open(modelDir)) {
            step("1-3. the limits again, after the pipeline");
            kernel = KernelLimits.fasterOf(kernel, KernelLimits.measure(spec, model.expert(0, 0)));
            ReferenceLimit.Result again = ReferenceLimit.measure(model, x, spec.chunkRows());
            out.printf("    whole input: %.0f then %.0f tokens/s; chunk by chunk: %.0f then %.0f tokens/s (the faster counts)%n",
                    reference.wholeTokensPerSecond(), again.wholeTokensPerSecond(), reference.chunkedTokensPerSecond(),
                    again.chunkedTokensPerSecond());
            reference = reference.fasterOf(again);
        }
        BenchReport.Reference referenceFigures = new BenchReport.Reference(reference.wholeTokensPerSecond(),
                reference.chunkedTokensPerSecond(), reference.chunkCompute());
        BenchReport.Pipeline pipeline = measured.pipeline().againstReference(reference.wholeTokensPerSecond());
        Bf16Pipeline bf16Pipeline = Bf16Pipeline.measure(spec, modelDir, serviceProperties, out);
        return new BenchReport(LocalDate.now().toString(), MachineInfo.current(), spec, serviceProperties, kernel,
                referenceFigures, measured.hop(), pipeline, measured.processes(),
                Targets.check(kernel, referenceFigures, measured.hop(), pipeline), bf16Kernels, bf16Pipeline);
    }

    private void step(String format, Object... args) {
        out.printf("==> " + format + "%n", args);
    }
}
