package io.moestream.tools.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.client.ClientTls;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's gRPC server on mutual TLS from the Quarkus TLS registry ({@code ./moe up --grpc-tls}, the keys the k8s
 * manifests set): a client with a
 * certificate from the trusted CA is served (and answered like the reference), one without a certificate, one with a
 * certificate from another CA and a plain-text one are refused.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GatewayMutualTlsIT {
    static final int D_MODEL = 16;

    static Path dir;
    static TestKafkaCluster kafka;
    static LocalStack stack;
    static MoeModel model;
    static ReferenceMoeLayer reference;
    static ClientTls trusted;

    @BeforeAll
    static void startStack() throws Exception {
        dir = Files.createTempDirectory("moe-mtls-");
        ModelGenerator.generate(dir.resolve("model"), new ModelSpec(1, 4, 2, D_MODEL, 24, 3));
        kafka = TestKafkaCluster.start();
        // as ./moe up --grpc-tls: the gateway's keys of the Quarkus TLS registry, as the k8s manifests set them
        stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(dir.resolve("model"))
                .withBootstrap(kafka.bootstrapServers()).withGrpcMutualTls(true), System.out::println);
        trusted = stack.gatewayClientTls();
        model = MoeModel.open(dir.resolve("model"));
        reference = new ReferenceMoeLayer(model, 0);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.copyLogsTo(Path.of("target", "stack-logs", "GatewayMutualTlsIT"));
        }
        for (AutoCloseable part : new AutoCloseable[] {stack, kafka, reference, model}) {
            if (part != null) {
                part.close();
            }
        }
        LocalStack.deleteRecursively(dir);
    }

    @Test
    void shouldServeAClientWithACertificateFromTheTrustedCa() throws Exception {
        Matrix x = Matrix.gaussian(48, D_MODEL, 1);
        try (GatewayClient client = new GatewayClient(stack.gatewayAddress(), trusted)) {
            Matrix y = client.infer("mtls", 0, x, 16, Duration.ofSeconds(60));
            assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(1e-4);
        }
    }

    @Test
    void shouldRefuseATlsClientWithoutACertificate() {
        assertRefused(new ClientTls(trusted.ca(), null, null));
    }

    @Test
    void shouldRefuseAClientWhoseCertificateComesFromAnotherCa() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("someone-else");
        other.issueClient("intruder").writePem(dir.resolve("intruder.crt"), dir.resolve("intruder.key"));
        assertRefused(new ClientTls(trusted.ca(), dir.resolve("intruder.crt"), dir.resolve("intruder.key")));
    }

    @Test
    void shouldRefuseAPlainTextClient() {
        assertRefused(ClientTls.PLAIN_TEXT);
    }

    private static void assertRefused(ClientTls tls) {
        try (GatewayClient client = new GatewayClient(stack.gatewayAddress(), tls)) {
            assertThatThrownBy(() -> client.infer("refused", 0, Matrix.gaussian(4, D_MODEL, 2), 4, Duration.ofSeconds(30)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
        assertThat(stack.firstExited()).isEmpty();
    }
}
