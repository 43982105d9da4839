package io.moestream.tools.bench;

/** A process whose memory and CPU the bench reports: a part of the stack, or the bench itself. */
public record MeasuredProcess(String name, long pid) {

    public static MeasuredProcess self() {
        return new MeasuredProcess("bench (this process)", ProcessHandle.current().pid());
    }
}
