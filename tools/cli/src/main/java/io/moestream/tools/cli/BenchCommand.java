package io.moestream.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.moestream.core.tensor.TensorMessages;
import io.moestream.tools.bench.BenchReport;
import io.moestream.tools.bench.BenchRun;
import io.moestream.tools.bench.BenchSpec;
import io.moestream.tools.bench.Bf16Kernels;
import io.moestream.tools.bench.Bf16Pipeline;
import io.moestream.tools.bench.ReportTable;
import io.moestream.tools.bench.ScaleBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code moe bench}: the machine's limits (sgemm, expert kernel, reference layer, one Kafka hop) and the pipeline on
 * the embedded broker, in one run, as a table with the ratios and a JSON file. With {@code --jmh}, runs the JMH
 * benchmarks of the kernels and codecs instead.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the pipeline side by side with the machine's limits; print a table, write JSON.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--d-model", defaultValue = "1024", description = "Hidden size (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--d-ff", defaultValue = "3584", description = "Expert FFN size (default ${DEFAULT-VALUE}).")
    int dFf;

    @Option(names = "--experts", defaultValue = "8", description = "Experts (default ${DEFAULT-VALUE}).")
    int experts;

    @Option(names = "--top-k", defaultValue = "2", description = "Experts per token (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--tokens", defaultValue = "4096", description = "Tokens per throughput run (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--chunk-rows", defaultValue = "128", description = "Tokens per chunk (default ${DEFAULT-VALUE}).")
    int chunkRows;

    @Option(names = "--streams", defaultValue = "2", description = "Concurrent streams in the throughput run (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--latency-samples", defaultValue = "200",
            description = "Timed single-chunk round trips and Kafka hops (default ${DEFAULT-VALUE}).")
    int latencySamples;

    @Option(names = "--kernel-rows", split = ",", defaultValue = "1,16,64,128,256",
            description = "Micro-batch sizes for sgemm and the expert kernel (default ${DEFAULT-VALUE}).")
    int[] kernelRows;

    @Option(names = "--warm-up", defaultValue = "PT30S",
            description = "Pipeline warm-up before the throughput runs, ISO-8601 (default ${DEFAULT-VALUE}): every JVM of the"
                    + " stack must have compiled its hot paths, or the JIT's CPU time counts against the pipeline.")
    Duration warmUp;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the model and the tokens (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", defaultValue = "fp32",
            description = "Element type of the client's chunks: fp32, bf16 or fp16 (default ${DEFAULT-VALUE}); the"
                    + " reference layer computes on the same rounded values.")
    String dtype;

    @Option(names = "--json", defaultValue = "target/bench.json",
            description = "Where to write the figures as JSON (default ${DEFAULT-VALUE}, relative to the working directory).")
    Path json;

    @Option(names = "--jfr", description = "Record each stack process with JFR during the warm-up and throughput runs into this directory"
            + " and print the hottest frames.")
    Path jfr;

    @Mixin
    ServicePropertyFlags serviceProperties;

    @Option(names = "--scale", split = ",", paramLabel = "SHAPE",
            description = "Instead of the pipeline bench: real models' expert counts at tiny dimensions on the local stack"
                    + " (olmoe, qwen3-30b-a3b, deepseek-v3): time to READY, idle CPU, expert threads and RSS, the last"
                    + " layer against the reference.")
    List<String> scale = new ArrayList<>();

    @Option(names = "--only", paramLabel = "PART",
            description = "Measure one part only: kernels (OpenBLAS sgemm, oneDNN's BF16 matmul and the expert kernel on"
                    + " both backends at --kernel-rows; JSON {\"kernels\": [...]}) or bf16-pipeline (a BF16 checkpoint's"
                    + " pipeline with --compute-dtype auto against fp32, CPU per 1,000 tokens per process, expert RSS).")
    String only;

    @Option(names = "--jmh", description = "Run the JMH benchmarks of the kernels and codecs instead; what follows `--` goes"
            + " to JMH (e.g. --jmh -- -f 1 -wi 3 -i 5 KernelBenchmarks).")
    boolean jmh;

    @Parameters(arity = "0..*", paramLabel = "JMH-OPTION", description = "With --jmh, after `--`: options passed to JMH.")
    List<String> jmhOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (jmh) {
            // the jar's benchmark list holds only moe-stream's benchmarks, so no pattern means all of them
            org.openjdk.jmh.Main.main(jmhOptions.toArray(String[]::new));
            return 0;
        }
        if (!jmhOptions.isEmpty()) {
            throw new IllegalArgumentException("unexpected parameters " + jmhOptions + ": they are JMH options, give --jmh");
        }
        if (!scale.isEmpty()) {
            return scale();
        }
        if (only != null) {
            return switch (only) {
                case "kernels" -> kernels();
                case "bf16-pipeline" -> bf16Pipeline();
                default -> throw new IllegalArgumentException("--only takes kernels or bf16-pipeline, got '" + only + "'");
            };
        }
        BenchSpec spec = spec();
        Path modelDir = Files.createTempDirectory("moe-bench-model-");
        BenchReport report;
        try {
            report = new BenchRun(spec, serviceProperties.properties(), jfr, System.out).run(modelDir);
        } finally {
            deleteModel(modelDir);
        }
        System.out.println();
        ReportTable.print(report, System.out);
        report.writeJson(json);
        System.out.println("\nwrote " + json.toAbsolutePath());
        return 0;
    }

    private BenchSpec spec() {
        return new BenchSpec(dModel, dFf, experts, topK, tokens, chunkRows, streams, latencySamples, kernelRows, warmUp,
                seed, TensorMessages.wireDtype(dtype));
    }

    private int bf16Pipeline() throws Exception {
        Path modelDir = Files.createTempDirectory("moe-bench-bf16-model-");
        Bf16Pipeline result;
        try {
            result = Bf16Pipeline.measure(spec(), modelDir, serviceProperties.properties(), System.out);
        } finally {
            deleteModel(modelDir);
        }
        System.out.println();
        ReportTable.printBf16Pipeline(result, System.out);
        writeJson(Map.of("bf16_pipeline", result));
        return 0;
    }

    private void writeJson(Object figures) throws java.io.IOException {
        Files.createDirectories(json.toAbsolutePath().getParent());
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), figures);
        System.out.println("\nwrote " + json.toAbsolutePath());
    }

    private static void deleteModel(Path modelDir) throws java.io.IOException {
        try (var files = Files.list(modelDir)) {
            files.forEach(file -> file.toFile().delete());
        }
        Files.deleteIfExists(modelDir);
    }

    private int kernels() throws Exception {
        BenchSpec spec = spec();
        System.out.printf("==> kernels at %s rows, d_model %d, d_ff %d%n", Arrays.toString(kernelRows), dModel, dFf);
        Bf16Kernels result = Bf16Kernels.measure(spec, Bf16Kernels.randomWeights(spec));
        ReportTable.printKernels(result, System.out);
        writeJson(result);
        return 0;
    }

    private int scale() throws Exception {
        List<ScaleBench.Shape> shapes = scale.stream().map(ScaleBench.Shape::of).toList();
        List<ScaleBench.Result> results = new ArrayList<>();
        for (ScaleBench.Shape shape : shapes) {
            results.add(new ScaleBench(System.out).run(shape, serviceProperties.properties()));
        }
        System.out.printf("%n%-14s %8s %9s %10s %14s %12s %11s %13s  %s%n", "shape", "experts", "READY s", "idle cores",
                "expert threads", "expert RSS", "broker RSS", "max rel err", "failure");
        for (ScaleBench.Result r : results) {
            System.out.printf(Locale.ROOT, "%-14s %8d %9.1f %10.3f %14d %9d MiB %7d MiB %13.2e  %s%n", r.shape(),
                    r.servedExperts(), r.readySeconds(), r.idleCores(), r.expertThreads(), r.expertRssMib(),
                    r.brokerRssMib(), r.maxRelError(), r.failure() == null ? "" : r.failure().lines().findFirst().orElse(""));
        }
        Files.createDirectories(json.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), Map.of("scale", results));
        System.out.println("\nwrote " + json.toAbsolutePath());
        return results.stream().allMatch(r -> r.failure() == null) ? 0 : 1;
    }
}
