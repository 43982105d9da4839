package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.kernel.ComputeDtype;
import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.kernel.OneDnn;
import io.moestream.core.kernel.OneDnnBf16Backend;
import io.moestream.core.kernel.OpenBlasFp32Backend;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.proto.v1.DType;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BF16 checkpoint served end to end: on the default compute dtype ({@code auto}) the experts run the backend this
 * CPU offers for BF16 ({@code onednn-bf16} with AMX or AVX512-BF16, else {@code openblas-fp32} after one fallback line),
 * say which in their log and metrics, and the layer matches the reference computed on that same backend; with
 * {@code --compute-dtype fp32} they run today's FP32 kernel and match the FP32 reference as exactly as ever.
 */
class Bf16ExpertsIT {
    private static final int D_MODEL = 64;
    /** The pipeline against the reference on the same backend: only summation order and batch composition differ. */
    private static final double LIKE_WITH_LIKE = 1e-3;
    /** BF16 experts against the FP32 reference (Hugging Face's blocks run natively in bfloat16: about 1e-2). */
    private static final double BF16_AGAINST_FP32 = 1e-2;

    @TempDir
    Path modelDir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldServeABf16CheckpointOnTheBackendTheCpuOffers() throws Exception {
        KernelBackend expected = ComputeDtype.AUTO.select(DType.BF16);

        Served served = serve("auto", "Bf16ExpertsIT-auto");

        assertThat(served.log()).contains("expert kernels: " + expected.name() + " on " + expected.implementation()
                + " (compute dtype auto, BF16 checkpoint)");
        assertThat(served.metrics()).contains("moe_expert_kernel_backend{", "backend=\"" + expected.name() + "\"");
        System.out.println("bf16 checkpoint on " + expected + ": vs same-backend reference " + served.likeWithLike()
                + ", vs fp32 reference " + served.againstFp32());
        assertThat(served.likeWithLike().maxRelError()).isLessThan(LIKE_WITH_LIKE);
        if (expected.name().equals(OneDnnBf16Backend.NAME)) {
            assertThat(served.againstFp32().maxRelError()).isGreaterThan(1e-5).isLessThan(BF16_AGAINST_FP32);
        } else {
            // a CPU without BF16 units: the one fallback line, then FP32 as exact as the FP32 pipeline
            assertThat(served.log().lines().filter(l -> l.contains("computing in FP32 on openblas-fp32"))).hasSize(1);
            assertThat(served.againstFp32().maxRelError()).isLessThan(1e-4);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldKeepTheFp32PathForABf16CheckpointWhenAskedTo() throws Exception {
        Served served = serve("fp32", "Bf16ExpertsIT-fp32");

        assertThat(served.log()).contains("expert kernels: " + OpenBlasFp32Backend.NAME)
                .doesNotContain("computing in FP32");
        assertThat(served.metrics()).contains("backend=\"" + OpenBlasFp32Backend.NAME + "\"");
        assertThat(served.againstFp32().maxRelError()).isLessThan(1e-4);
    }

    /**
     * The fallback in the expert process itself: its oneDNN capped at AVX2 (as on the project's AVX2-only machines), it
     * logs the one fallback line, runs {@code openblas-fp32} and serves the BF16 checkpoint's FP32 result.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldFallBackToFp32InTheExpertProcessWithoutBf16Units() throws Exception {
        Served served = serve("auto", Map.of("expert-service:" + OneDnn.MAX_CPU_ISA_PROPERTY, "avx2"),
                "Bf16ExpertsIT-fallback");

        assertThat(served.log().lines().filter(l -> l.contains("computing in FP32 on openblas-fp32")).toList())
                .singleElement().asString().contains("compute dtype auto with a BF16 checkpoint asks for BF16",
                        "oneDNN has no BF16 matmul for this CPU");
        assertThat(served.log()).contains("expert kernels: " + OpenBlasFp32Backend.NAME);
        assertThat(served.metrics()).contains("backend=\"" + OpenBlasFp32Backend.NAME + "\"");
        assertThat(served.againstFp32().maxRelError()).isLessThan(1e-4);
    }

    /** The expert's log and metrics, and the layer's error against the same-backend and the FP32 references. */
    private record Served(String log, String metrics, ErrorStats likeWithLike, ErrorStats againstFp32) {
    }

    private Served serve(String computeDtype, String logName) throws Exception {
        return serve(computeDtype, Map.of(), logName);
    }

    private Served serve(String computeDtype, Map<String, String> properties, String logName) throws Exception {
        ModelGenerator.generate(modelDir, new ModelSpec(1, 4, 2, D_MODEL, 96, 5), ModelGenerator.ExpertLayout.PER_EXPERT,
                ModelGenerator.GateSkew.NONE, ModelGenerator.Packaging.TEXT_MODEL, DType.BF16);
        Matrix x = Matrix.gaussian(200, D_MODEL, 21);
        try (TestKafkaCluster kafka = TestKafkaCluster.start();
             LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                     .withBootstrap(kafka.bootstrapServers()).withExtraProperties(properties).withComputeDtype(computeDtype), System.out::println);
             GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
            try {
                Matrix y = client.infer("bf16-experts-" + computeDtype, 0, x, 50, DType.FP32, Duration.ofMinutes(2));
                // the reference runs where the expert runs: FP32 when the expert's oneDNN is capped below BF16
                KernelBackend backend = properties.isEmpty() ? ComputeDtype.parse(computeDtype).select(DType.BF16)
                        : OpenBlasFp32Backend.INSTANCE;
                ErrorStats likeWithLike;
                ErrorStats againstFp32;
                try (MoeModel model = MoeModel.open(modelDir);
                     ReferenceMoeLayer same = new ReferenceMoeLayer(model, 0, RoutingOptions.NONE, backend);
                     ReferenceMoeLayer fp32 = new ReferenceMoeLayer(model, 0)) {
                    likeWithLike = ErrorStats.compare(y, same.forward(x));
                    againstFp32 = ErrorStats.compare(y, fp32.forward(x));
                }
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stack.httpAddress("expert-0") + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                return new Served(Files.readString(stack.process("expert-0").log()), metrics, likeWithLike, againstFp32);
            } finally {
                stack.copyLogsTo(PipelineFixtures.logDir(logName));
            }
        }
    }
}
