package io.moestream.tools.monitoring;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Alertmanager beside the local stack: takes the alerts its Prometheus fires and, given a webhook, posts each
 * alert group there (firing and resolved). Without one the alerts are only in its UI and API. Runs alone: its
 * high-availability cluster port is off.
 */
public final class AlertmanagerServer implements AutoCloseable {
    private static final YAMLMapper YAML = new YAMLMapper();

    private final ChildProcess process;
    private final int port;

    private AlertmanagerServer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static AlertmanagerServer start(Path binary, Path dir, String webhook) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        // a local stack wants to see an alert soon: wait 2 s for the group's other alerts, resend changes every 10 s
        Map<String, Object> route = Map.of("receiver", webhook == null ? "none" : "webhook",
                "group_by", List.of("alertname", "layer", "consumergroup"),
                "group_wait", "2s", "group_interval", "10s", "repeat_interval", "4h");
        Map<String, Object> receiver = webhook == null ? Map.of("name", "none")
                : Map.of("name", "webhook", "webhook_configs", List.of(Map.of("url", webhook, "send_resolved", true)));
        Path configFile = dir.resolve("alertmanager.yml");
        YAML.writeValue(configFile.toFile(), Map.of("route", route, "receivers", List.of(receiver)));
        int port = FreePorts.next();
        ChildProcess process = ChildProcess.start("alertmanager", List.of(binary.toString(),
                "--config.file=" + configFile, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address="), dir.resolve("alertmanager.log"));
        AlertmanagerServer server = new AlertmanagerServer(process, port);
        try {
            HttpReady.await(process, URI.create(server.url() + "/-/ready"));
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The address Prometheus sends alerts to. */
    String hostPort() {
        return "127.0.0.1:" + port;
    }

    ChildProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
