package io.moestream.gateway.tls;

import io.moestream.gateway.config.GatewayConfig;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Puts the gRPC server on TLS from a named configuration of the Quarkus TLS registry ({@code quarkus.tls.<name>.*}),
 * when {@code moe.gateway.tls-configuration-name} names one. The gateway runs Quarkus' separate gRPC server (for its
 * manual flow control), which reads only the older {@code quarkus.grpc.server.ssl.*} keys; this hands the registry's
 * key store and trust store to that server's options instead. Quarkus still decides TLS on or off and the client
 * certificate policy: {@code quarkus.grpc.server.plain-text=false} and {@code quarkus.grpc.server.ssl.client-auth}.
 */
@Singleton
public class GrpcServerTls implements ServerBuilderCustomizer<VertxServerBuilder> {
    private static final Logger LOG = Logger.getLogger(GrpcServerTls.class);

    private final GatewayConfig config;
    private final TlsConfigurationRegistry registry;

    public GrpcServerTls(GatewayConfig config, TlsConfigurationRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    @Override
    public void customize(GrpcServerConfiguration server, VertxServerBuilder builder) {
        String name = config.gateway().tlsConfigurationName().orElse(null);
        if (name == null) {
            return;
        }
        TlsConfiguration tls = registry.get(name).orElseThrow(() -> new IllegalStateException(
                "moe.gateway.tls-configuration-name is '" + name + "' but there is no quarkus.tls." + name + ".* configuration"));
        if (tls.getKeyStoreOptions() == null) {
            throw new IllegalStateException("quarkus.tls." + name + " has no key store: the gRPC server needs its certificate and key");
        }
        if (server.plainText()) {
            throw new IllegalStateException("moe.gateway.tls-configuration-name is set but quarkus.grpc.server.plain-text is"
                    + " true: set it to false so the gRPC server speaks TLS only");
        }
        builder.useSsl(options -> {
            options.setKeyCertOptions(tls.getKeyStoreOptions());
            if (tls.getTrustStoreOptions() != null) {
                options.setTrustOptions(tls.getTrustStoreOptions());
            }
        });
        LOG.infof("gRPC server TLS from quarkus.tls.%s (client certificates: %s)", name, server.ssl().clientAuth());
    }
}
