package io.moestream.testsupport;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

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

    /**
     * Skips the calling test, printing why, unless {@code command} is installed; under CI ({@code CI=true}), whose
     * {@code .ci/run} installs what the tests need, its absence fails the test instead of leaving {@code what}
     * unchecked.
     */
    public static void requireOrSkip(String command, String what, String install) throws InterruptedException {
        if (available(command)) {
            return;
        }
        String why = command + " is not on the PATH (" + what + " needs it; " + install + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true, and .ci/run installs it, but " + why);
        }
        System.out.println("skipped: " + why);
        Assumptions.assumeTrue(false, why);
    }
}
