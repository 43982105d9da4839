package io.moestream.tools.stack;

import java.util.List;

/**
 * A process of the stack exited before it was ready: nothing a restart would fix (a port in use, a bad setting), so
 * {@code ./moe up} stops at the first one, leading with the process's own error line, then the tail of its log.
 */
public final class ServiceStartFailure extends IllegalStateException {
    public ServiceStartFailure(ChildProcess process) {
        super(process.name() + " exited (" + process.exitDescription() + ") before it was ready: "
                + errorLine(process.logTail(40).lines().toList()) + "\nthe end of its log (" + process.log() + "):\n"
                + process.logTail(40));
    }

    /** The last line that reports an error (a logged ERROR, an exception), or the last line when none does. */
    static String errorLine(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.contains(" ERROR ") || line.startsWith("ERROR") || line.matches("^\\S*(Exception|Error)\\b.*")) {
                return line.strip();
            }
        }
        return lines.isEmpty() ? "(its log is empty)" : lines.get(lines.size() - 1).strip();
    }
}
