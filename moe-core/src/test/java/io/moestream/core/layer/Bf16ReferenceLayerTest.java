package io.moestream.core.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.moestream.core.kernel.ComputeDtype;
import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.kernel.OneDnn;
import io.moestream.core.kernel.OneDnnBf16Backend;
import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import io.moestream.proto.v1.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A BF16 checkpoint: written by the generator, recognised when opened, and the layer in BF16 against FP32. */
class Bf16ReferenceLayerTest {
    /**
     * The BF16 layer against the FP32 layer on the same (BF16-stored) weights: max |bf16 - fp32| / max(1, max |fp32|).
     * Hugging Face's own blocks run natively in bfloat16 give about 1e-2.
     */
    private static final double AGAINST_FP32 = 1e-2;

    @TempDir
    Path dir;

    @Test
    void shouldWriteAndRecogniseABf16Checkpoint() throws Exception {
        ModelGenerator.generate(dir, new ModelSpec(1, 4, 2, 16, 32, 3), ModelGenerator.ExpertLayout.PER_EXPERT,
                ModelGenerator.GateSkew.NONE, ModelGenerator.Packaging.TEXT_MODEL, DType.BF16);

        try (MoeModel model = MoeModel.open(dir)) {
            assertThat(model.weightsDtype()).isEqualTo(DType.BF16);
            // BF16-stored values widen exactly: each is its own BF16 rounding
            Matrix w1 = model.expert(0, 1).w1();
            assertThat(io.moestream.core.tensor.Bf16.round(w1).data()).containsExactly(w1.data());
        }
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"torch_dtype\" : \"bfloat16\"");
    }

    @ParameterizedTest
    @EnumSource(value = ModelFamily.class, names = {"MIXTRAL", "QWEN2_MOE", "GPT_OSS", "LLAMA4_TEXT"})
    void shouldComputeTheLayerInBf16CloseToFp32(ModelFamily family) {
        KernelBackend bf16 = ComputeDtype.AUTO.select(DType.BF16);
        assumeTrue(bf16.name().equals(OneDnnBf16Backend.NAME), () -> "no BF16 kernel: " + OneDnn.bf16Support().detail());
        // given a BF16 checkpoint of the family (shared experts, biases and clamps, input weighting)
        ModelGenerator.generate(dir, new ModelSpec(family, 1, 8, 2, 64, 96, true, 11),
                ModelGenerator.ExpertLayout.PER_EXPERT, ModelGenerator.GateSkew.NONE,
                ModelGenerator.Packaging.TEXT_MODEL, DType.BF16);
        Matrix x = TestTensors.gaussian(37, 64, 12);
        try (MoeModel model = MoeModel.open(dir);
                ReferenceMoeLayer fp32 = new ReferenceMoeLayer(model, 0);
                ReferenceMoeLayer inBf16 = new ReferenceMoeLayer(model, 0, RoutingOptions.NONE, bf16)) {
            // when
            Matrix expected = fp32.forward(x);
            Matrix actual = inBf16.forward(x);

            // then
            assertThat(Tolerance.maxRelativeError(actual, expected)).isLessThanOrEqualTo(AGAINST_FP32);
            assertThat(Tolerance.maxAbs(expected)).isGreaterThan(0.01);
        }
    }
}
