package io.moestream.tools.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.moestream.core.topics.Topics;
import io.moestream.tools.k8s.PrometheusRuleFile;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Debian's Prometheus beside the local stack: scrapes every service's {@code /q/metrics}, evaluates the alert rules of
 * {@code ./moe k8s} ({@link PrometheusRuleFile}) and sends what fires to the stack's Alertmanager. The services are
 * listed in a file Prometheus watches, so processes started later (a new placement, a restart) are scraped too.
 */
public final class PrometheusServer implements AutoCloseable {
    /** How often it scrapes and evaluates the rules. */
    static final String INTERVAL = "5s";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildProcess process;
    private final int port;
    private final Path targetsFile;

    private PrometheusServer(ChildProcess process, int port, Path targetsFile) {
        this.process = process;
        this.port = port;
        this.targetsFile = targetsFile;
    }

    static PrometheusServer start(Path binary, Path dir, Topics topics, String alertmanager, List<ScrapeTarget> targets)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        PrometheusRuleFile.write(topics, dir.resolve("rules.yml"));
        Path targetsFile = dir.resolve("targets.json");
        writeTargets(targetsFile, targets);
        // rule and target files are found relative to the configuration file
        Map<String, Object> config = Map.of(
                "global", Map.of("scrape_interval", INTERVAL, "evaluation_interval", INTERVAL),
                "rule_files", List.of("rules.yml"),
                "alerting", Map.of("alertmanagers", List.of(Map.of("static_configs",
                        List.of(Map.of("targets", List.of(alertmanager)))))),
                "scrape_configs", List.of(Map.of("job_name", "moe-stream", "metrics_path", "/q/metrics",
                        "file_sd_configs", List.of(Map.of("files", List.of(targetsFile.getFileName().toString()),
                                "refresh_interval", INTERVAL)))));
        Path configFile = dir.resolve("prometheus.yml");
        YAML.writeValue(configFile.toFile(), config);
        int port = FreePorts.next();
        ChildProcess process = ChildProcess.start("prometheus", List.of(binary.toString(),
                "--config.file=" + configFile, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port), dir.resolve("prometheus.log"));
        PrometheusServer server = new PrometheusServer(process, port, targetsFile);
        try {
            HttpReady.await(process, URI.create(server.url() + "/-/ready"));
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Scrape exactly these services from now on (Prometheus rereads the file within {@link #INTERVAL}). */
    void updateTargets(List<ScrapeTarget> targets) throws IOException {
        writeTargets(targetsFile, targets);
    }

    /** A file_sd target list: each service with labels naming its process and module. */
    private static void writeTargets(Path file, List<ScrapeTarget> targets) throws IOException {
        List<Map<String, Object>> groups = targets.stream().map(t -> Map.<String, Object>of(
                "targets", List.of("127.0.0.1:" + t.httpPort()),
                "labels", Map.of("process", t.process(), "module", t.module()))).toList();
        // replaced in one step, so Prometheus never reads half a file
        Path next = file.resolveSibling(file.getFileName() + ".next");
        JSON.writeValue(next.toFile(), groups);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    ChildProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
