package io.moestream.tools.bench;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./moe bench --scale}: real models' expert counts at tiny dimensions (d_model 64, d_ff 32) on the local stack.
 * Per shape: the time until READY (every group's partitions assigned), the whole stack's idle CPU over 30 s after it
 * settles, the expert processes' threads and RSS, the broker's RSS, and the last served layer through the gateway
 * against the in-process reference layer.
 */
public final class ScaleBench {
    static final int D_MODEL = 64;
    static final int D_FF = 32;
    static final Duration SETTLE = Duration.ofSeconds(15);
    static final Duration IDLE_WINDOW = Duration.ofSeconds(30);
    static final int TOKENS = 512;
    static final int CHUNK_ROWS = 64;

    /** The expert counts of a real model; a shared expert per layer where the real one has it. */
    public enum Shape {
        OLMOE("olmoe", ModelFamily.OLMOE, 16, 64, 8),
        QWEN3_30B_A3B("qwen3-30b-a3b", ModelFamily.QWEN2_MOE, 48, 128, 8),
        DEEPSEEK_V3("deepseek-v3", ModelFamily.DEEPSEEK_V3, 58, 256, 8);

        final String label;
        final ModelFamily family;
        final int layers;
        final int experts;
        final int topK;

        Shape(String label, ModelFamily family, int layers, int experts, int topK) {
            this.label = label;
            this.family = family;
            this.layers = layers;
            this.experts = experts;
            this.topK = topK;
        }

        public static Shape of(String label) {
            for (Shape shape : values()) {
                if (shape.label.equals(label)) {
                    return shape;
                }
            }
            throw new IllegalArgumentException("unknown shape '" + label + "'; known: olmoe, qwen3-30b-a3b, deepseek-v3");
        }
    }

    /** What one shape gave; {@code failure} says where it broke, when it did. */
    public record Result(String shape, int servedExperts, double readySeconds, double idleCores,
                         Map<String, Double> idleCoresByProcess, int expertThreads, long expertRssMib, long brokerRssMib,
                         double maxRelError, String failure) {
    }

    private final PrintStream out;

    public ScaleBench(PrintStream out) {
        this.out = out;
    }

    public Result run(Shape shape, Map<String, String> serviceProperties) throws Exception {
        Path modelDir = Files.createTempDirectory("moe-scale-" + shape.label + "-");
        ModelSpec spec = new ModelSpec(shape.family, shape.layers, shape.experts, shape.topK, D_MODEL, D_FF, true, 7);
        int served = shape.layers * spec.config().servedExperts();
        out.printf("==> %s: %d layers x %d served experts = %d experts, top-%d, d_model %d, d_ff %d%n", shape.label,
                shape.layers, spec.config().servedExperts(), served, shape.topK, D_MODEL, D_FF);
        ModelGenerator.generate(modelDir, spec);
        long start = System.nanoTime();
        try (LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                .withExtraProperties(serviceProperties), line -> out.println("    " + line))) {
            double ready = (System.nanoTime() - start) / 1e9;
            out.printf("    READY after %.1f s; settling %d s, then measuring idle CPU for %d s%n", ready,
                    SETTLE.toSeconds(), IDLE_WINDOW.toSeconds());
            Thread.sleep(SETTLE.toMillis());
            List<MeasuredProcess> processes = new ArrayList<>();
            for (ChildProcess process : stack.processes()) {
                processes.add(new MeasuredProcess(process.name(), process.pid()));
            }
            CpuWindow idle = new CpuWindow(processes);
            idle.start();
            Thread.sleep(IDLE_WINDOW.toMillis());
            idle.stop();
            Map<String, Double> byProcess = new LinkedHashMap<>();
            double idleCores = 0;
            int threads = 0;
            long expertRss = 0;
            long brokerRss = 0;
            for (MeasuredProcess process : processes) {
                double cores = idle.usage().get(process.pid()).coresBusy();
                byProcess.put(process.name(), cores);
                idleCores += cores;
                long rssMib = ProcessStats.rssKib(process.pid()).orElse(0) / 1024;
                if (process.name().startsWith("expert-")) {
                    threads += ProcessStats.threads(process.pid());
                    expertRss += rssMib;
                } else if (process.name().equals("kafka")) {
                    brokerRss = rssMib;
                }
            }
            int lastLayer = shape.layers - 1;
            Matrix x = Matrix.gaussian(TOKENS, D_MODEL, 11);
            Matrix y;
            try (GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
                y = client.infer("scale-" + shape.label, lastLayer, x, CHUNK_ROWS, Duration.ofMinutes(5));
            }
            double error;
            try (MoeModel model = MoeModel.open(modelDir); ReferenceMoeLayer reference = new ReferenceMoeLayer(model, lastLayer)) {
                error = ErrorStats.compare(y, reference.forward(x)).maxRelError();
            }
            out.printf(Locale.ROOT, "    idle %.3f cores %s; expert processes: %d threads, %d MiB RSS; broker %d MiB RSS;"
                    + " layer %d vs reference: max rel error %.2e%n", idleCores, byProcess, threads, expertRss, brokerRss,
                    lastLayer, error);
            return new Result(shape.label, served, ready, idleCores, byProcess, threads, expertRss, brokerRss, error, null);
        } catch (IllegalStateException | IllegalArgumentException e) {
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf("    FAILED after %.1f s: %s%n", seconds, e.getMessage());
            return new Result(shape.label, served, seconds, 0, Map.of(), 0, 0, 0, Double.NaN, e.getMessage());
        } finally {
            try (var files = Files.list(modelDir)) {
                files.forEach(file -> file.toFile().delete());
            }
            Files.deleteIfExists(modelDir);
        }
    }
}
