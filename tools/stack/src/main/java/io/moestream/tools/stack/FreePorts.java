package io.moestream.tools.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports that are free now, for the child processes of the local stack. They come from below the
 * kernel's ephemeral range: a port the kernel handed out (bind to 0) could be taken by any outgoing connection, a
 * Kafka client's of another JVM say, before the child binds it, which then fails with "port in use".
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    private static final int EPHEMERAL_START = ephemeralStart();

    private FreePorts() {
    }

    public static int next() {
        if (EPHEMERAL_START - LOWEST < 1000) {
            return bind(0);
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, EPHEMERAL_START);
            try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        return bind(0);
    }

    private static int bind(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** The first port of Linux's ephemeral range; its default where the file is missing (other systems). */
    private static int ephemeralStart() {
        try {
            // readAllLines, not readString: /proc files report size 0, and readString returned a first byte only
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
