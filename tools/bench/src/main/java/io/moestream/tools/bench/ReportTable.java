package io.moestream.tools.bench;

import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints a {@link BenchReport} as the table {@code moe bench} shows: limits, pipeline, ratios, targets. */
public final class ReportTable {
    /** Past this many cores taken by other processes during the throughput runs, the table says it was not alone. */
    static final double SHARED_MACHINE_CORES = 0.2;

    private ReportTable() {
    }

    /** The kernels in both precisions ({@code moe bench --only kernels}, and item 2b of the full bench). */
    public static void printKernels(Bf16Kernels k, PrintStream out) {
        out.println("2b. FP32 and BF16 kernels, GFLOP/s of 6*rows*d_model*d_ff; BF16: " + k.bf16Note());
        out.println("      rows  sgemm fp32  matmul bf16  expert fp32  expert bf16  bf16/matmul  bf16/sgemm");
        for (Bf16Kernels.Point p : k.kernels()) {
            out.printf("    %6d  %10.1f  %11s  %11.1f  %11s  %11s  %10s%n", p.rows(), p.sgemmFp32Gflops(),
                    figure(p.matmulBf16Gflops(), "%.1f"), p.expertFp32Gflops(), figure(p.expertBf16Gflops(), "%.1f"),
                    figure(p.expertBf16ToMatmul() == null ? null : 100 * p.expertBf16ToMatmul(), "%.1f%%"),
                    figure(p.expertBf16ToSgemm(), "%.2fx"));
        }
    }

    /** The BF16 checkpoint's pipeline, auto against fp32 (item 7 of the full bench, {@code --only bf16-pipeline}). */
    public static void printBf16Pipeline(Bf16Pipeline b, PrintStream out) {
        out.printf("7.   BF16 checkpoint: auto runs %s; auto / fp32 = %.2fx tokens/s; wire payload %.0f bytes per token%n",
                b.autoBackend(), b.autoOverFp32(), b.wireBytesPerToken());
        for (Bf16Pipeline.Run run : b.runs()) {
            out.printf("     %-5s %-36s %7.0f tokens/s = %5.1f%% of its reference (%.0f); max rel error %.1e;"
                            + " expert peak RSS %.0f MiB%n", run.computeDtype(), run.backend(), run.tokensPerSecond(),
                    100 * run.ratioToReference(), run.referenceTokensPerSecond(), run.maxRelError(), run.expertPeakRssMib());
            StringBuilder cpu = new StringBuilder();
            run.cpuSecondsPerThousandTokens().forEach((name, seconds) -> cpu.append(String.format("  %s %.3f", name, seconds)));
            out.println("           cpu-s per 1,000 tokens:" + cpu);
        }
    }

    private static String figure(Double value, String format) {
        return value == null ? "-" : String.format(format, value);
    }

    public static void print(BenchReport r, PrintStream out) {
        BenchSpec s = r.spec();
        MachineInfo m = r.machine();
        out.printf("moe bench, %s: %s, %d cores, %.1f GiB, %s%n", r.date(), m.cpu(), m.cores(), m.memoryGib(), m.javaRuntime());
        out.printf("model d_model %d, d_ff %d, %d experts, top-%d; %d tokens in %s chunks of %d rows over %d stream(s)%n",
                s.dModel(), s.dFf(), s.experts(), s.topK(), s.tokens(), s.dtype(), s.chunkRows(), s.streams());
        out.printf("service properties: %s%n%n", r.serviceProperties().isEmpty() ? "(none)" : r.serviceProperties());

        out.println("1-2. OpenBLAS sgemm (the expert's two products) vs the expert kernel, GFLOP/s of 6*rows*d_model*d_ff");
        out.println("      rows     sgemm    kernel  kernel/sgemm  kernel tokens/s");
        for (KernelLimits.Point p : r.kernel()) {
            out.printf("    %6d  %8.1f  %8.1f  %11.1f%%  %15.0f%n", p.rows(), p.sgemmGflops(), p.kernelGflops(),
                    100 * p.kernelToSgemm(), p.kernelTokensPerSecond());
        }
        BenchReport.Reference ref = r.reference();
        out.printf("%n3.   reference layer in process: %.0f tokens/s on the whole input, %.0f tokens/s chunk by chunk;"
                        + " one chunk p50 %.1f ms, p99 %.1f ms%n", ref.wholeTokensPerSecond(), ref.chunkedTokensPerSecond(),
                ms(ref.chunkCompute().p50Micros()), ms(ref.chunkCompute().p99Micros()));
        LatencySummary hop = r.kafkaHop().latency();
        out.printf("4.   Kafka hop, %d-byte records: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d samples)%n",
                r.kafkaHop().recordBytes(), ms(hop.p50Micros()), ms(hop.p99Micros()), ms(hop.p999Micros()),
                ms(hop.maxMicros()), hop.samples());
        BenchReport.Pipeline p = r.pipeline();
        LatencySummary rt = p.roundTrip();
        out.printf("5.   pipeline: %.0f tokens/s = %.1f%% of the reference (whole input); max rel error %.1e;"
                        + " %.0f rows per expert kernel call%n",
                p.tokensPerSecond(), 100 * p.ratioToReference(), p.maxRelError(), p.throughputBatchRows());
        out.printf("     one chunk round trip: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (%d samples); / (3 x hop): %s%n",
                ms(rt.p50Micros()), ms(rt.p99Micros()), ms(rt.p999Micros()), rt.samples(), ratios(p.roundTripOverHops()));

        p.roundTripStages().forEach((stage, t) -> out.printf("       %-44s p50 %7.1f ms  p99 %7.1f ms%n", stage,
                ms(t.p50Micros()), ms(t.p99Micros())));
        if (!p.expertStageMeanMillis().isEmpty()) {
            StringBuilder split = new StringBuilder();
            p.expertStageMeanMillis().forEach((stage, millis) -> split.append(String.format("  %s %.1f ms", stage, millis)));
            out.println("         experts' own timers, mean per window:" + split);
        }
        out.println("6.   processes: peak RSS, and CPU during the throughput run");
        for (BenchReport.ProcessFigures f : r.processes()) {
            if (f.pid() == 0) {
                // CPU time outside the bench's processes (other processes, other guests): no pid, no memory of its own
                out.printf("     %-22s %24.1f cpu-s  %4.2f cores%s%n", f.name(), f.cpuSeconds(), f.coresBusy(),
                        f.coresBusy() > SHARED_MACHINE_CORES ? "  <- a shared machine: the ratios are not the pipeline's alone"
                                : "");
                continue;
            }
            out.printf("     %-22s pid %-7d %7.0f MiB  %6.1f cpu-s  %4.2f cores  %s%n", f.name(), f.pid(), f.peakRssMib(),
                    f.cpuSeconds(), f.coresBusy(), threads(f.topThreadsCpuSeconds()));
        }
        if (r.bf16Kernels() != null) {
            out.println();
            printKernels(r.bf16Kernels(), out);
        }
        if (r.bf16Pipeline() != null) {
            out.println();
            printBf16Pipeline(r.bf16Pipeline(), out);
        }
        out.println();
        out.println("targets:");
        for (Targets.Check c : r.targets()) {
            out.printf("     %-8s %-52s measured %9.3f  bound %9.3f%n", c.met() ? "MET" : "NOT MET", c.target(),
                    c.measured(), c.bound());
        }
    }

    private static double ms(double micros) {
        return micros / 1000;
    }

    private static String ratios(Map<String, Double> ratios) {
        return ratios.entrySet().stream().map(e -> e.getKey() + " " + String.format("%.1f", e.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static String threads(Map<String, Double> threads) {
        return threads.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
