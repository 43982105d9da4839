package io.moestream.tools.monitoring;

/** One service process Prometheus scrapes: its name in the stack (e.g. {@code expert-0}), module and HTTP port. */
public record ScrapeTarget(String process, String module, int httpPort) {
}
