package io.moestream.tools.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Prometheus' HTTP API as the tests ask it: its answer's {@code data}, after asserting the status is success. */
final class PrometheusApi {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String url;

    PrometheusApi(String url) {
        this.url = url;
    }

    /** The {@code data} of {@code GET /api/v1/query?query=expr}; its error if Prometheus refused the expression. */
    JsonNode query(String expr) throws Exception {
        return get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    }

    /** The alerts Prometheus holds now, pending and firing. */
    JsonNode alerts() throws Exception {
        return get("/api/v1/alerts").path("alerts");
    }

    /** The scrape targets now active. */
    JsonNode activeTargets() throws Exception {
        return get("/api/v1/targets?state=active").path("activeTargets");
    }

    /** The raw answer to a GET of {@code path}: Prometheus' JSON envelope. */
    JsonNode raw(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).GET().build();
        return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    private JsonNode get(String path) throws Exception {
        JsonNode answer = raw(path);
        assertThat(answer.path("status").asText()).as(path + ": " + answer).isEqualTo("success");
        return answer.path("data");
    }
}
