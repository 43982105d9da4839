package io.moestream.tools.monitoring;

import io.moestream.tools.stack.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waits until a started server answers 200 on its readiness URL, or says why it did not. */
final class HttpReady {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private HttpReady() {
    }

    static void await(ChildProcess process, URI ready) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited before it was ready:\n" + process.logTail(20));
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).GET().build();
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // started but not yet listening: ask again below
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(process.name() + " was not ready within " + TIMEOUT + " (" + ready
                        + "):\n" + process.logTail(20));
            }
            Thread.sleep(200);
        }
    }
}
