package io.moestream.tools.bench;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time each process of the stack spent during one measured phase, per thread name: where the two cores
 * went while the pipeline ran at saturation.
 */
final class CpuWindow {
    private static final int TOP_THREADS = 6;
    /** The key of the CPU time used by processes the bench did not start (builds, other users) during the window. */
    static final long OTHERS = -1;
    /** The key of the CPU time the hypervisor gave to other guests while this machine wanted it, during the window. */
    static final long STOLEN = -2;
    /** The JIT compiler threads, C1 and C2, as {@link ProcessStats} names them (digits as {@code #}, 15 characters). */
    private static final String JIT_THREADS = "C# CompilerThre";

    private final List<MeasuredProcess> processes;
    private final Map<Long, Map<String, Double>> before = new HashMap<>();
    private double machineBusyBefore;
    private double machineStolenBefore;
    private long startNanos;
    private Map<Long, ProcessCpu> usage;
    private double jitShare;

    CpuWindow(List<MeasuredProcess> processes) {
        this.processes = processes;
    }

    void start() {
        for (MeasuredProcess process : processes) {
            before.put(process.pid(), ProcessStats.cpuSecondsByThread(process.pid()));
        }
        machineBusyBefore = ProcessStats.machineBusySeconds();
        machineStolenBefore = ProcessStats.machineStolenSeconds();
        startNanos = System.nanoTime();
    }

    /** Closes the window; {@link #usage()} then tells what was spent in it. */
    void stop() {
        usage = measure();
    }

    /** The share of the measured processes' CPU time that their JIT compilers took in the window (0 when none was used). */
    double jitShare() {
        usage();
        return jitShare;
    }

    /**
     * Per process: CPU seconds in the window, cores used on average, and the busiest thread names; under
     * {@link #OTHERS} the CPU time that processes outside the bench took from the machine meanwhile, and under
     * {@link #STOLEN} what the hypervisor took from it.
     */
    Map<Long, ProcessCpu> usage() {
        if (usage == null) {
            throw new IllegalStateException("the CPU window has not been closed");
        }
        return usage;
    }

    private Map<Long, ProcessCpu> measure() {
        double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
        double machineBusy = ProcessStats.machineBusySeconds() - machineBusyBefore;
        Map<Long, ProcessCpu> usage = new HashMap<>();
        double jitSeconds = 0;
        for (MeasuredProcess process : processes) {
            Map<String, Double> start = before.getOrDefault(process.pid(), Map.of());
            Map<String, Double> spent = new HashMap<>();
            ProcessStats.cpuSecondsByThread(process.pid())
                    .forEach((name, seconds) -> spent.put(name, seconds - start.getOrDefault(name, 0.0)));
            double total = spent.values().stream().mapToDouble(Double::doubleValue).sum();
            jitSeconds += spent.getOrDefault(JIT_THREADS, 0.0);
            Map<String, Double> top = new LinkedHashMap<>();
            spent.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                    .limit(TOP_THREADS)
                    .forEach(e -> top.put(e.getKey(), round(e.getValue())));
            usage.put(process.pid(), new ProcessCpu(round(total), round(total / wallSeconds), top));
        }
        double ours = usage.values().stream().mapToDouble(ProcessCpu::cpuSeconds).sum();
        jitShare = ours > 0 ? jitSeconds / ours : 0;
        double others = Math.max(0, machineBusy - ours);
        usage.put(OTHERS, new ProcessCpu(round(others), round(others / wallSeconds), Map.of()));
        double stolen = ProcessStats.machineStolenSeconds() - machineStolenBefore;
        usage.put(STOLEN, new ProcessCpu(round(stolen), round(stolen / wallSeconds), Map.of()));
        return usage;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** CPU seconds used in the window, the average number of cores busy, and the top threads by CPU seconds. */
    record ProcessCpu(double cpuSeconds, double coresBusy, Map<String, Double> topThreads) {
    }
}
