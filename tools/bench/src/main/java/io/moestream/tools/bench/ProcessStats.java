package io.moestream.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Reads what Linux knows about a process from {@code /proc}: its peak resident set ({@code VmHWM}) and the CPU time
 * of each of its threads, native ones (OpenBLAS workers, GC) included, which a Java profiler does not see.
 */
public final class ProcessStats {
    /** Linux reports thread times in clock ticks of USER_HZ, which is 100 on every x86-64 kernel configuration. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcessStats() {
    }

    /** Peak resident set size in KiB, or empty when the process is gone or this is not Linux. */
    public static OptionalLong peakRssKib(long pid) {
        return statusKib(pid, "VmHWM:");
    }

    /** Resident set size now, in KiB, or empty when the process is gone or this is not Linux. */
    public static OptionalLong rssKib(long pid) {
        return statusKib(pid, "VmRSS:");
    }

    /** A KiB figure of {@code /proc/<pid>/status}, by its field name. */
    private static OptionalLong statusKib(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
            return OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Threads of the process now, 0 when it is gone. */
    public static int threads(long pid) {
        String[] tasks = Path.of("/proc", Long.toString(pid), "task").toFile().list();
        return tasks == null ? 0 : tasks.length;
    }

    /**
     * CPU seconds (user + system) used so far by the threads of {@code pid}, summed per thread name with digits
     * replaced by {@code #}, so that {@code expert-0-3} and {@code expert-0-5} count as {@code expert-#-#}.
     */
    public static Map<String, Double> cpuSecondsByThread(long pid) {
        Map<String, Double> byName = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> readThread(task, byName));
        } catch (IOException processGone) {
            return Map.of();
        }
        return byName;
    }

    /**
     * CPU seconds the machine's processes have spent (user, nice and system time over all cores) since boot. Interrupt
     * time (the loopback network's soft interrupts, for one) is left out: no process is charged for it either.
     */
    public static double machineBusySeconds() {
        String[] cpu = machineCpuLine();
        return cpu.length < 4 ? 0
                : (Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3])) / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds the hypervisor has given to other guests while this virtual machine wanted to run ("steal"), over
     * all cores, since boot: load from outside that no process inside the machine shows.
     */
    public static double machineStolenSeconds() {
        String[] cpu = machineCpuLine();
        return cpu.length < 9 ? 0 : Long.parseLong(cpu[8]) / TICKS_PER_SECOND;
    }

    /** "cpu user nice system idle iowait irq softirq steal ...", split; empty where there is no /proc/stat. */
    private static String[] machineCpuLine() {
        try {
            return Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        } catch (IOException notLinux) {
            return new String[0];
        }
    }

    private static void readThread(Path task, Map<String, Double> byName) {
        String stat;
        try {
            stat = Files.readString(task.resolve("stat"));
        } catch (IOException threadGone) {
            return;
        }
        // "tid (name) state ppid ...": the name may hold spaces and parentheses, the fields after it do not
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
        String[] fields = stat.substring(close + 2).split(" ");
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15
        double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        byName.merge(name, seconds, Double::sum);
    }
}
