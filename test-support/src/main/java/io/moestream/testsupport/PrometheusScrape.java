package io.moestream.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A service's {@code /q/metrics} page, and the sum of a metric's samples that carry given labels. */
public final class PrometheusScrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? ([0-9.Ee+-]+|NaN)$");

    private final String text;

    private PrometheusScrape(String text) {
        this.text = text;
    }

    /** Scrapes {@code address + "/q/metrics"}, e.g. {@code http://127.0.0.1:8080}. */
    public static PrometheusScrape of(String address) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(address + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(address + "/q/metrics answered " + response.statusCode());
        }
        return new PrometheusScrape(response.body());
    }

    /** The sum of the samples of {@code name} whose labels include every one of {@code labels}; 0 when none. */
    public double sum(String name, Map<String, String> labels) {
        return samples(name, labels).stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Like {@link #sum}, but a metric with no such sample fails: a renamed metric must not read as zero. */
    public double value(String name, Map<String, String> labels) {
        List<Double> samples = samples(name, labels);
        if (samples.isEmpty()) {
            throw new AssertionError("no sample of " + name + " with labels " + labels + " in the scrape");
        }
        return samples.stream().mapToDouble(Double::doubleValue).sum();
    }

    private List<Double> samples(String name, Map<String, String> labels) {
        List<Double> values = new ArrayList<>();
        Matcher sample = SAMPLE.matcher(text);
        while (sample.find()) {
            String found = sample.group(2) == null ? "" : sample.group(2);
            if (sample.group(1).equals(name) && labels.entrySet().stream()
                    .allMatch(l -> found.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                values.add(Double.parseDouble(sample.group(3)));
            }
        }
        return values;
    }
}
