package io.moestream.tools.bench;

import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.proto.v1.TokenChunk;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Items 4 to 6 of the bench on a running stack: one Kafka hop on its broker, the pipeline at saturation (with the CPU
 * time of every process, and optionally a flight recording of each), single-chunk round trips split into stages, and
 * every process's peak memory.
 */
final class StackPhase {
    private static final int HOP_WARM_UPS = 50;
    private static final int ROUND_TRIP_WARM_UPS = 10;
    private static final int THROUGHPUT_RUNS = 2;
    /**
     * The warm-up goes on past {@code --warm-up} while the JIT compilers take more than this share of the stack's CPU in
     * a warm-up run: on two cores, compiling is CPU the pipeline cannot use, and it is gone in a steady state.
     */
    private static final double STEADY_JIT_SHARE = 0.05;
    /** How long the warm-up may go on past {@code --warm-up} waiting for the JIT to settle. */
    private static final long MAX_EXTRA_WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final int PROFILE_LINES = 12;
    private static final String LATENCY_REQUEST = "bench-latency";

    /** What the stack phase measured. */
    record Result(BenchReport.KafkaHop hop, BenchReport.Pipeline pipeline, List<BenchReport.ProcessFigures> processes) {
    }

    private final BenchSpec spec;
    private final LocalStack stack;
    private final Path flightRecordingDir;
    private final PrintStream out;
    private final List<MeasuredProcess> stackProcesses;

    StackPhase(BenchSpec spec, LocalStack stack, Path flightRecordingDir, PrintStream out) {
        this.spec = spec;
        this.stack = stack;
        this.flightRecordingDir = flightRecordingDir;
        this.out = out;
        this.stackProcesses = stack.processes().stream().map(p -> new MeasuredProcess(p.name(), p.pid())).toList();
    }

    Result measure(Matrix x, ReferenceLimit.Result reference) throws Exception {
        List<Matrix> chunks = chunks(x);
        int recordBytes = TokenChunk.newBuilder().setRequestId(LATENCY_REQUEST).setSeq(0).setLayer(0)
                .setHidden(TensorMessages.toProto(chunks.get(0), spec.dtype())).build().getSerializedSize();
        step("4. Kafka hop latency, %d-byte records, %d samples", recordBytes, spec.latencySamples());
        BenchReport.KafkaHop hop = new BenchReport.KafkaHop(recordBytes, KafkaHopLatency.measure(stack.bootstrapServers(),
                recordBytes, HOP_WARM_UPS, spec.latencySamples()));

        step("5. pipeline throughput: %d tokens over %d stream(s), at least %d s of warm-up runs (until the JIT takes under"
                + " %.0f%% of the CPU, at most %d s more), then best of %d runs", spec.tokens(), spec.streams(),
                spec.warmUp().toSeconds(), STEADY_JIT_SHARE * 100, TimeUnit.NANOSECONDS.toSeconds(MAX_EXTRA_WARM_UP_NANOS),
                THROUGHPUT_RUNS);
        List<MeasuredProcess> all = new ArrayList<>(stackProcesses);
        all.add(MeasuredProcess.self());
        CpuWindow cpu = new CpuWindow(all);
        ExpertMeters meters = new ExpertMeters(stack.processes().stream().map(p -> p.name())
                .filter(name -> name.startsWith("expert-")).map(stack::httpAddress).toList());
        Throughput measured = throughput(x, cpu, all, meters);
        PipelineThroughput.Run best = measured.best();
        double batchRows = measured.batchRows();
        Map<Long, CpuWindow.ProcessCpu> cpuUse = cpu.usage();

        step("5. single-chunk round trips, %d samples", spec.latencySamples());
        StageTimes stages = new StageTimes(stack.bootstrapServers());
        stages.useAppendTime();
        SerialChunkProbe.Result probe;
        Map<String, double[]> stagesBefore = meters.snapshot();
        try (SerialChunkProbe prober = new SerialChunkProbe(stack.gatewayAddress())) {
            probe = prober.measure(chunks, spec.dtype(), ROUND_TRIP_WARM_UPS, spec.latencySamples(), LATENCY_REQUEST);
        }
        Map<String, Double> expertStageMeans = ExpertMeters.meanMillis(stagesBefore, meters.snapshot());
        Map<String, LatencySummary> stageTimes = stages.read(LATENCY_REQUEST, probe.sentMillis(), probe.receivedMillis(),
                ROUND_TRIP_WARM_UPS);

        double error = ErrorStats.compare(best.output(), reference.output()).maxRelError();
        BenchReport.Pipeline pipeline = new BenchReport.Pipeline(best.tokensPerSecond(),
                best.tokensPerSecond() / reference.wholeTokensPerSecond(), error, batchRows, probe.roundTrip(),
                overHops(probe.roundTrip(), hop.latency()), stageTimes, expertStageMeans);
        return new Result(hop, pipeline, processFigures(all, cpuUse));
    }

    /** The best throughput run, and the mean rows per expert kernel call over the measured runs. */
    private record Throughput(PipelineThroughput.Run best, double batchRows) {
    }

    /**
     * Warm-up runs, then the best of a few. The CPU window and the rows per kernel call cover the measured runs only. The flight recordings start
     * before the warm-up and stop after the CPU window: starting JFR in a JVM loads and compiles its event classes,
     * several CPU-seconds of JIT per process, which would otherwise land in the measured runs and slow them.
     */
    private Throughput throughput(Matrix x, CpuWindow cpu, List<MeasuredProcess> all, ExpertMeters meters)
            throws Exception {
        FlightRecordings recordings = flightRecordingDir == null ? null
                : new FlightRecordings(flightRecordingDir, stackProcesses);
        if (recordings != null) {
            recordings.start();
        }
        PipelineThroughput.Run best = null;
        Map<String, double[]> metersBefore;
        try (GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
            warmUp(client, x, all);
            metersBefore = meters.snapshot();
            cpu.start();
            for (int i = 0; i < THROUGHPUT_RUNS; i++) {
                PipelineThroughput.Run run = PipelineThroughput.run(client, x, spec.chunkRows(), spec.dtype(), spec.streams(),
                        "bench-run-" + i);
                best = best == null || run.tokensPerSecond() > best.tokensPerSecond() ? run : best;
            }
            cpu.stop();
        }
        double batchRows = ExpertMeters.meanBatchRows(metersBefore, meters.snapshot());
        if (recordings != null) {
            printProfiles(recordings.stop());
        }
        return new Throughput(best, batchRows);
    }

    /** Warm-up runs for at least {@code --warm-up}, then on while the JIT is busy (see {@link #STEADY_JIT_SHARE}). */
    private void warmUp(GatewayClient client, Matrix x, List<MeasuredProcess> all) throws Exception {
        long start = System.nanoTime();
        long minimumEnd = start + spec.warmUp().toNanos();
        double jitShare = 1;
        int runs = 0;
        while (runs == 0 || System.nanoTime() < minimumEnd
                || jitShare > STEADY_JIT_SHARE && System.nanoTime() < minimumEnd + MAX_EXTRA_WARM_UP_NANOS) {
            CpuWindow run = new CpuWindow(all);
            run.start();
            PipelineThroughput.run(client, x, spec.chunkRows(), spec.dtype(), spec.streams(), "bench-warm-up-" + runs++);
            run.stop();
            jitShare = run.jitShare();
        }
        out.printf("    warm-up: %d runs in %d s; the JIT took %.1f%% of the stack's CPU in the last one%n", runs,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), jitShare * 100);
    }

    private List<Matrix> chunks(Matrix x) {
        List<Matrix> chunks = new ArrayList<>();
        for (int from = 0; from + spec.chunkRows() <= x.rows(); from += spec.chunkRows()) {
            chunks.add(x.rowRange(from, spec.chunkRows()));
        }
        return chunks;
    }

    private static Map<String, Double> overHops(LatencySummary roundTrip, LatencySummary hop) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        ratios.put("p50", roundTrip.p50Micros() / (3 * hop.p50Micros()));
        ratios.put("p99", roundTrip.p99Micros() / (3 * hop.p99Micros()));
        ratios.put("p99.9", roundTrip.p999Micros() / (3 * hop.p999Micros()));
        return ratios;
    }

    private static List<BenchReport.ProcessFigures> processFigures(List<MeasuredProcess> all,
                                                                   Map<Long, CpuWindow.ProcessCpu> cpuUse) {
        List<BenchReport.ProcessFigures> figures = new ArrayList<>();
        for (MeasuredProcess process : all) {
            CpuWindow.ProcessCpu cpu = cpuUse.get(process.pid());
            double peakMib = ProcessStats.peakRssKib(process.pid()).orElse(0) / 1024.0;
            figures.add(new BenchReport.ProcessFigures(process.name(), process.pid(), Math.round(peakMib * 10) / 10.0,
                    cpu.cpuSeconds(), cpu.coresBusy(), cpu.topThreads()));
        }
        CpuWindow.ProcessCpu others = cpuUse.get(CpuWindow.OTHERS);
        figures.add(new BenchReport.ProcessFigures("(other processes)", 0, 0, others.cpuSeconds(), others.coresBusy(),
                Map.of()));
        CpuWindow.ProcessCpu stolen = cpuUse.get(CpuWindow.STOLEN);
        figures.add(new BenchReport.ProcessFigures("(stolen by the host)", 0, 0, stolen.cpuSeconds(), stolen.coresBusy(),
                Map.of()));
        return figures;
    }

    private void printProfiles(List<Path> profiles) throws IOException {
        for (Path profile : profiles) {
            out.println("    profile " + profile + ":");
            HotFrames.read(profile).lines(PROFILE_LINES).forEach(line -> out.println("      " + line));
        }
    }

    private void step(String format, Object... args) {
        out.printf("==> " + format + "%n", args);
    }
}
