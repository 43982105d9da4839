package io.moestream.tools.stack;

import io.moestream.core.config.ServiceKeys;
import io.moestream.tools.client.ClientTls;
import io.moestream.tools.tls.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Mutual TLS for the local stack's gateway ({@code ./moe up --grpc-tls}): a CA made at start, the gateway's
 * certificate for the loopback names, one client certificate, all PEM files in {@code dir}; and the gateway's keys
 * that use them through the Quarkus TLS registry, as the k8s manifests set them.
 */
public record GatewayTls(Path dir, ClientTls client) {

    public static GatewayTls create(Path dir) throws IOException {
        Files.createDirectories(dir);
        CertificateAuthority ca = CertificateAuthority.create("moe-grpc-ca");
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        ca.issueServer("moe-gateway", CertificateAuthority.loopback()).writePem(dir.resolve("gateway.crt"),
                dir.resolve("gateway.key"));
        ca.issueClient("moe-client").writePem(dir.resolve("client.crt"), dir.resolve("client.key"));
        return new GatewayTls(dir, new ClientTls(caFile, dir.resolve("client.crt"), dir.resolve("client.key")));
    }

    /** The gateway's properties: TLS registry configuration {@code grpc}, plain text off, client certificates required. */
    public Map<String, String> gatewayProperties() {
        return Map.of(
                "quarkus.tls.grpc.key-store.pem.0.cert", dir.resolve("gateway.crt").toString(),
                "quarkus.tls.grpc.key-store.pem.0.key", dir.resolve("gateway.key").toString(),
                "quarkus.tls.grpc.trust-store.pem.certs", client.ca().toString(),
                "quarkus.grpc.server.plain-text", "false",
                "quarkus.grpc.server.ssl.client-auth", "REQUIRED",
                ServiceKeys.GATEWAY_TLS_CONFIGURATION_NAME, "grpc");
    }
}
