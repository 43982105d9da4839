package io.moestream.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.model.ExpertWeights;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ComputeDtypeTest {
    private static final OneDnn.Bf16Support WITH_BF16 = new OneDnn.Bf16Support(true, "brg:avx512_core_amx");
    private static final OneDnn.Bf16Support WITHOUT_BF16 = new OneDnn.Bf16Support(false, "no BF16 matmul");

    @Test
    void autoShouldComputeInTheCheckpointsDtypeWhereTheCpuHasBf16Units() {
        assertThat(ComputeDtype.AUTO.select(DType.BF16, WITH_BF16).name()).isEqualTo(OneDnnBf16Backend.NAME);
        assertThat(ComputeDtype.AUTO.select(DType.BF16, WITH_BF16).implementation()).isEqualTo("brg:avx512_core_amx");
        assertThat(ComputeDtype.AUTO.select(DType.FP32, WITH_BF16)).isSameAs(OpenBlasFp32Backend.INSTANCE);
        assertThat(ComputeDtype.FP32.select(DType.BF16, WITH_BF16)).isSameAs(OpenBlasFp32Backend.INSTANCE);
        assertThat(ComputeDtype.BF16.select(DType.FP32, WITH_BF16).name()).isEqualTo(OneDnnBf16Backend.NAME);
    }

    @Test
    void shouldFallBackToFp32WithoutBf16Units() {
        assertThat(ComputeDtype.AUTO.select(DType.BF16, WITHOUT_BF16)).isSameAs(OpenBlasFp32Backend.INSTANCE);
        assertThat(ComputeDtype.BF16.select(DType.FP32, WITHOUT_BF16)).isSameAs(OpenBlasFp32Backend.INSTANCE);
    }

    @Test
    void shouldParseTheChoicesAndNameThemOnBadInput() {
        assertThat(ComputeDtype.parse(" BF16 ")).isEqualTo(ComputeDtype.BF16);
        assertThat(ComputeDtype.parse("auto")).isEqualTo(ComputeDtype.AUTO);
        assertThatThrownBy(() -> ComputeDtype.parse("fp16"))
                .hasMessage("compute dtype must be auto, fp32 or bf16, got 'fp16'");
    }

    /**
     * The real fallback: a JVM whose oneDNN is capped at AVX2 (as on the project's AVX2-only machines) finds no BF16
     * matmul, logs why once, and serves the BF16 checkpoint's expert in FP32, matching the naive expert.
     */
    @Test
    void shouldFallBackToFp32ForRealOnACpuCappedAtAvx2() throws IOException, InterruptedException {
        // given
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", FallbackProbe.class.getName())
                .redirectErrorStream(true);
        builder.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
        builder.environment().put("OMP_NUM_THREADS", "1");

        // when
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // then
        assertThat(process.exitValue()).as(output).isZero();
        List<String> fallbacks = output.lines().filter(l -> l.contains("computing in FP32")).toList();
        assertThat(fallbacks).as(output).hasSize(1);
        assertThat(fallbacks.get(0)).contains("compute dtype auto with a BF16 checkpoint asks for BF16",
                "oneDNN has no BF16 matmul for this CPU");
        assertThat(output).contains("backend=openblas-fp32 within-tolerance=true");
    }

    /** Run in a child JVM by the test above. */
    static final class FallbackProbe {
        public static void main(String[] args) {
            KernelBackend backend = ComputeDtype.AUTO.select(DType.BF16);
            ExpertWeights weights = OpenBlasSwiGluExpertTest.weights(64, 112, 3);
            Matrix x = TestTensors.gaussian(9, 64, 4);
            try (ExpertKernel kernel = backend.load(weights)) {
                double error = Tolerance.maxRelativeError(kernel.forward(x), new NaiveSwiGluExpert(weights).forward(x));
                System.out.println("backend=" + backend.name() + " within-tolerance=" + (error <= 1e-4));
            }
        }
    }
}
