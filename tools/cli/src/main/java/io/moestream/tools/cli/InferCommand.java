package io.moestream.tools.cli;

import io.moestream.core.io.Npy;
import io.moestream.core.tensor.Matrix;
import io.moestream.tools.client.ClientTls;
import io.moestream.tools.client.GatewayClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code moe infer}: streams a float32 {@code [n, d_model]} .npy array through the gateway. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Stream a float32 [n, d_model] .npy array through the gateway and write the layer output.")
public final class InferCommand implements Callable<Integer> {

    @Option(names = "--gateway", required = true, description = "Gateway address HOST:PORT.")
    String gateway;

    @Option(names = "--layer", defaultValue = "0", description = "MoE layer (default ${DEFAULT-VALUE}).")
    int layer;

    @Option(names = "--input", required = true, description = "Input .npy, float32 [n, d_model].")
    Path input;

    @Option(names = "--output", required = true, description = "Output .npy to write.")
    Path output;

    @Option(names = "--chunk-rows", defaultValue = "128", description = "Tokens per chunk (default ${DEFAULT-VALUE}).")
    int chunkRows;

    @Option(names = "--timeout", defaultValue = "PT5M", description = "Give up after this ISO-8601 duration (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--tls-ca", description = "CA certificate (PEM) to trust: connect over TLS. Without it, plain text.")
    Path tlsCa;

    @Option(names = "--tls-cert", description = "Client certificate (PEM) for a gateway that requires mutual TLS.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "The client certificate's private key (PKCS#8 PEM).")
    Path tlsKey;

    @Override
    public Integer call() throws Exception {
        Matrix x = Npy.read(input);
        long start = System.nanoTime();
        Matrix y;
        try (GatewayClient client = new GatewayClient(gateway, new ClientTls(tlsCa, tlsCert, tlsKey))) {
            y = client.infer(UUID.randomUUID().toString(), layer, x, chunkRows, timeout);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Npy.write(output, y);
        System.out.printf("wrote %s: [%d, %d] in %.2f s (%.0f tokens/s)%n", output, y.rows(), y.cols(), seconds,
                y.rows() / seconds);
        return 0;
    }
}
