package io.moestream.tools.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.moestream.core.kernel.ComputeDtype;
import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.DType;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline on a BF16 checkpoint of the bench's shape, in one run: the default compute dtype ({@code auto}: BF16
 * experts where the CPU has BF16 units) against {@code --compute-dtype fp32}, each on a stack of its own after a
 * warm-up, with the CPU each process spent per 1,000 tokens and the expert's peak RSS, and both against the in-process
 * reference on the same backend.
 *
 * @param autoBackend           what {@code auto} runs here, e.g. {@code onednn-bf16 (brg:avx512_core_amx)}
 * @param autoOverFp32          tokens/s of {@code auto} over tokens/s of {@code fp32} (target with AMX: 1.5)
 * @param wireBytesPerToken     payload bytes one token puts on the topics: its chunk row, top-k task rows, top-k result
 *                              rows and its reply row, in the wire dtype (protobuf and Kafka headers not counted)
 */
public record Bf16Pipeline(String autoBackend, List<Run> runs, double autoOverFp32, double wireBytesPerToken) {

    /**
     * One compute dtype's pipeline.
     *
     * @param referenceTokensPerSecond the in-process reference layer on the same backend, whole input
     * @param maxRelError              the pipeline's output against that reference
     * @param cpuSecondsPerThousandTokens  CPU-seconds per 1,000 tokens of each process over the measured runs
     */
    public record Run(String computeDtype, String backend, double tokensPerSecond, double referenceTokensPerSecond,
                      double maxRelError, Map<String, Double> cpuSecondsPerThousandTokens, double expertPeakRssMib) {

        @JsonProperty
        public double ratioToReference() {
            return tokensPerSecond / referenceTokensPerSecond;
        }
    }

    private static final int RUNS = 2;

    public static Bf16Pipeline measure(BenchSpec spec, Path modelDir, Map<String, String> serviceProperties,
                                       PrintStream out) throws Exception {
        out.printf("==> 7. BF16 checkpoint: the pipeline with compute dtype auto, then fp32%n");
        ModelGenerator.generate(modelDir, new ModelSpec(1, spec.experts(), spec.topK(), spec.dModel(), spec.dFf(),
                spec.seed()), ModelGenerator.ExpertLayout.PER_EXPERT, ModelGenerator.GateSkew.NONE,
                ModelGenerator.Packaging.TEXT_MODEL, DType.BF16);
        Matrix x = TensorMessages.asSent(Matrix.gaussian(spec.tokens(), spec.dModel(), spec.seed() + 1), spec.dtype());
        List<Run> runs = new ArrayList<>();
        String autoBackend = null;
        for (String computeDtype : List.of("auto", "fp32")) {
            KernelBackend backend = ComputeDtype.parse(computeDtype).select(DType.BF16);
            autoBackend = autoBackend == null ? backend.toString() : autoBackend;
            ReferenceLimit.Result reference;
            try (MoeModel model = MoeModel.open(modelDir)) {
                reference = ReferenceLimit.measure(model, x, spec.chunkRows(), backend);
            }
            StackOptions options = StackOptions.forModel(modelDir).withExtraProperties(serviceProperties)
                    .withComputeDtype(computeDtype);
            try (LocalStack stack = LocalStack.start(MoeHome.locate(), options, line -> out.println("    " + line))) {
                runs.add(run(spec, stack, x, computeDtype, backend, reference, out));
            }
        }
        int elementBytes = TensorCodec.elementSize(spec.dtype());
        double wireBytes = (2.0 + 2.0 * spec.topK()) * spec.dModel() * elementBytes;
        return new Bf16Pipeline(autoBackend, runs, runs.get(0).tokensPerSecond() / runs.get(1).tokensPerSecond(),
                wireBytes);
    }

    private static Run run(BenchSpec spec, LocalStack stack, Matrix x, String computeDtype, KernelBackend backend,
                           ReferenceLimit.Result reference, PrintStream out) throws Exception {
        List<MeasuredProcess> processes = new ArrayList<>(stack.processes().stream()
                .map(p -> new MeasuredProcess(p.name(), p.pid())).toList());
        processes.add(MeasuredProcess.self());
        CpuWindow cpu = new CpuWindow(processes);
        PipelineThroughput.Run best = null;
        try (GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
            long warmUntil = System.nanoTime() + spec.warmUp().toNanos();
            int warmUps = 0;
            do {
                PipelineThroughput.run(client, x, spec.chunkRows(), spec.dtype(), spec.streams(), "bf16-warm-up-" + warmUps++);
            } while (System.nanoTime() < warmUntil);
            cpu.start();
            for (int i = 0; i < RUNS; i++) {
                PipelineThroughput.Run run = PipelineThroughput.run(client, x, spec.chunkRows(), spec.dtype(),
                        spec.streams(), "bf16-" + computeDtype + "-" + i);
                best = best == null || run.tokensPerSecond() > best.tokensPerSecond() ? run : best;
            }
            cpu.stop();
        }
        Map<Long, CpuWindow.ProcessCpu> usage = cpu.usage();
        double thousands = RUNS * x.rows() / 1000.0;
        Map<String, Double> perThousand = new LinkedHashMap<>();
        for (MeasuredProcess p : processes) {
            perThousand.put(p.name(), usage.get(p.pid()).cpuSeconds() / thousands);
        }
        perThousand.put("(other processes)", usage.get(CpuWindow.OTHERS).cpuSeconds() / thousands);
        ChildProcess expert = stack.process("expert-0");
        double rssMib = ProcessStats.peakRssKib(expert.pid()).orElse(0) / 1024.0;
        double error = ErrorStats.compare(best.output(), reference.output()).maxRelError();
        out.printf("    %s on %s: %.0f tokens/s (reference %.0f), max rel error %.1e, expert peak RSS %.0f MiB%n",
                computeDtype, backend, best.tokensPerSecond(), reference.wholeTokensPerSecond(), error, rssMib);
        return new Run(computeDtype, backend.toString(), best.tokensPerSecond(), reference.wholeTokensPerSecond(), error,
                perThousand, rssMib);
    }
}
