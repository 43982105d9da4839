package io.moestream.exitwithparent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * The main class of the local stack's child JVMs: {@code ExitWithParent <main class> <its arguments>} runs that main
 * class (Kafka's, a Quarkus service's) and stops the JVM, through its shutdown hooks (a broker's clean shutdown, a
 * service's graceful one), once its standard input ends. The stack starts every child with standard input a pipe from
 * itself that it never writes to nor closes; the kernel closes it when the parent dies, however it dies. So no broker
 * or service outlives a {@code ./moe up} or a test JVM that was killed with SIGKILL, which no shutdown hook of the
 * parent can handle. A main class rather than a Java agent: a JVM with an agent can write or map a class-data-sharing
 * archive only with a diagnostic flag and a warning at every start (the stack's startup archives).
 */
public final class ExitWithParent {
    /** A JVM whose shutdown hooks hang is halted after this long: the parent is gone, nobody else would stop it. */
    private static final long HALT_AFTER_MS = 60_000;

    private ExitWithParent() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ExitWithParent <main class> [its arguments...]");
        }
        daemon("exit-with-parent", ExitWithParent::exitAtEndOfInput).start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void exitAtEndOfInput() {
        try {
            InputStream in = System.in;
            byte[] ignored = new byte[256];
            while (in.read(ignored) != -1) {
                // the parent never writes: anything read is skipped, only the end matters
            }
        } catch (IOException e) {
            // an unreadable pipe is as good as a closed one
        }
        System.err.println("the process that started this one is gone (its standard input ended); stopping");
        daemon("exit-with-parent-halt", ExitWithParent::haltLater).start();
        System.exit(143);
    }

    private static void haltLater() {
        try {
            Thread.sleep(HALT_AFTER_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(137);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
