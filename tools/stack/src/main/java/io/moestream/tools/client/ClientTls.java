package io.moestream.tools.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * How a client reaches the gateway: plain text (all fields null), TLS trusting {@code ca}, or mutual TLS presenting
 * {@code certificate} and its PKCS#8 {@code key} (PEM files).
 */
public record ClientTls(Path ca, Path certificate, Path key) {
    public static final ClientTls PLAIN_TEXT = new ClientTls(null, null, null);

    public ClientTls {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate needs its key and a key its certificate");
        }
        if (certificate != null && ca == null) {
            throw new IllegalArgumentException("a client certificate is sent over TLS only: give the CA certificate too");
        }
    }

    ChannelCredentials credentials() {
        if (ca == null) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(ca.toFile());
            if (certificate != null) {
                tls.keyManager(certificate.toFile(), key.toFile());
            }
            return tls.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS files " + this, e);
        }
    }
}
