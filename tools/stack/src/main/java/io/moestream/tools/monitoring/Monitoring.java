package io.moestream.tools.monitoring;

import io.moestream.core.topics.Topics;
import io.moestream.tools.stack.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Alertmanager and Prometheus, started together beside a local stack and stopped with it. */
public final class Monitoring implements AutoCloseable {
    private final AlertmanagerServer alertmanager;
    private final PrometheusServer prometheus;

    private Monitoring(AlertmanagerServer alertmanager, PrometheusServer prometheus) {
        this.alertmanager = alertmanager;
        this.prometheus = prometheus;
    }

    /** Starts both, data and logs under {@code dir}, Prometheus scraping {@code targets}. */
    public static Monitoring start(MonitoringBinaries binaries, Path dir, Topics topics, MonitoringOptions options,
                                   List<ScrapeTarget> targets, Consumer<String> progress)
            throws IOException, InterruptedException {
        AlertmanagerServer alertmanager = AlertmanagerServer.start(binaries.alertmanager(), dir.resolve("alertmanager"),
                options.alertWebhook());
        progress.accept("alertmanager ready at " + alertmanager.url() + (options.alertWebhook() == null ? ""
                : " (webhook " + options.alertWebhook() + ")"));
        try {
            PrometheusServer prometheus = PrometheusServer.start(binaries.prometheus(), dir.resolve("prometheus"), topics,
                    alertmanager.hostPort(), targets);
            progress.accept("prometheus ready at " + prometheus.url() + " (scraping " + targets.size()
                    + " services every " + PrometheusServer.INTERVAL + ", the alert rules of ./moe k8s)");
            return new Monitoring(alertmanager, prometheus);
        } catch (IOException | InterruptedException | RuntimeException e) {
            alertmanager.close();
            throw e;
        }
    }

    /** Scrape exactly these services from now on. */
    public void updateTargets(List<ScrapeTarget> targets) throws IOException {
        prometheus.updateTargets(targets);
    }

    public String prometheusUrl() {
        return prometheus.url();
    }

    public String alertmanagerUrl() {
        return alertmanager.url();
    }

    /** Prometheus and Alertmanager, for the stack's check of processes that exited. */
    public List<ChildProcess> processes() {
        return List.of(alertmanager.process(), prometheus.process());
    }

    @Override
    public void close() {
        prometheus.close();
        alertmanager.close();
    }
}
