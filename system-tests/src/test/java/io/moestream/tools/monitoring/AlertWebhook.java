package io.moestream.tools.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A webhook receiver for Alertmanager on loopback: keeps every notification it is posted (Alertmanager's JSON). */
final class AlertWebhook implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final List<JsonNode> notifications = new ArrayList<>();

    AlertWebhook() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/alerts", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                JsonNode notification = JSON.readTree(body);
                synchronized (notifications) {
                    notifications.add(notification);
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
    }

    /** Every alert of every notification so far, as posted: {@code status}, {@code labels}, {@code annotations}... */
    List<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        synchronized (notifications) {
            notifications.forEach(n -> n.path("alerts").forEach(alerts::add));
        }
        return alerts;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
