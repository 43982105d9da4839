package io.moestream.tools.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A summary of one flight recording: the methods most often on top of the stack of threads running Java code
 * ({@code jdk.ExecutionSample}), and the threads they were sampled in. Time spent in native code (OpenBLAS, socket
 * waits) is not in these samples; the per-thread CPU seconds from {@code /proc} cover it.
 */
final class HotFrames {
    private static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

    private final long samples;
    private final Map<String, Long> byTopFrame;
    private final Map<String, Long> byThread;

    private HotFrames(long samples, Map<String, Long> byTopFrame, Map<String, Long> byThread) {
        this.samples = samples;
        this.byTopFrame = byTopFrame;
        this.byThread = byThread;
    }

    static HotFrames read(Path recording) throws IOException {
        Map<String, Long> byTopFrame = new HashMap<>();
        Map<String, Long> byThread = new HashMap<>();
        long samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals(EXECUTION_SAMPLE)) {
                    continue;
                }
                samples++;
                RecordedStackTrace stack = event.getStackTrace();
                String top = stack == null || stack.getFrames().isEmpty() ? "(no stack)" : describe(stack.getFrames().get(0));
                byTopFrame.merge(top, 1L, Long::sum);
                RecordedThread thread = event.getThread("sampledThread");
                String name = thread == null || thread.getJavaName() == null ? "(unknown)" : thread.getJavaName();
                byThread.merge(name.replaceAll("[0-9]+", "#"), 1L, Long::sum);
            }
        }
        return new HotFrames(samples, byTopFrame, byThread);
    }

    /** Lines of text: the {@code limit} hottest methods and threads with their share of the samples. */
    List<String> lines(int limit) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add(samples + " Java execution samples; top frames:");
        top(byTopFrame, limit).forEach(e -> lines.add(share(e) + "  " + e.getKey()));
        lines.add("by thread:");
        top(byThread, limit).forEach(e -> lines.add(share(e) + "  " + e.getKey()));
        return lines;
    }

    private String share(Map.Entry<String, Long> entry) {
        return String.format("%6.1f%%", 100.0 * entry.getValue() / Math.max(1, samples));
    }

    private static List<Map.Entry<String, Long>> top(Map<String, Long> counts, int limit) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .toList();
    }

    private static String describe(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
