package io.moestream.testsupport;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Whether a program a test needs (node, npm, kubectl) is installed on this machine. */
public final class Executables {
    private Executables() {
    }

    /** Whether {@code command --version} runs here and exits 0. */
    public static boolean available(String command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException notInstalled) {
            return false;
        }
    }
}
