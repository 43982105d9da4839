package io.moestream.core.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.NaiveMoe;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceMoeLayerTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "experts={0} top-{1} d_model={2} d_ff={3} rows={4}")
    @CsvSource({"8, 2, 32, 64, 37", "4, 1, 16, 40, 9", "6, 6, 24, 48, 20", "16, 4, 64, 96, 130"})
    void shouldMatchANaiveComposition(int experts, int topK, int dModel, int dFf, int rows) {
        // given
        ModelGenerator.generate(dir, new ModelSpec(2, experts, topK, dModel, dFf, 9));
        Matrix x = TestTensors.gaussian(rows, dModel, 77);
        try (MoeModel model = MoeModel.open(dir); ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 1)) {
            // when
            LayerOutput out = layer.forwardWithStats(x);

            // then
            Matrix expected = NaiveMoe.layer(model, 1, x);
            assertThat(Tolerance.maxRelativeError(out.output(), expected)).isLessThanOrEqualTo(TOLERANCE);
            assertThat(Tolerance.maxAbs(expected)).isGreaterThan(0.05);
            assertThat(out.tokensPerExpert()).hasSize(experts);
            assertThat(Arrays.stream(out.tokensPerExpert()).sum()).isEqualTo((long) rows * topK);
        }
    }

    @ParameterizedTest(name = "{0}, norm_topk_prob={1}")
    @CsvSource({"MIXTRAL, true", "QWEN2_MOE, false", "QWEN3_MOE, true", "QWEN3_MOE, false", "OLMOE, false",
            "DEEPSEEK_V2, false", "DEEPSEEK_V3, true", "DEEPSEEK_V3, false", "GPT_OSS, true", "LLAMA4_TEXT, false"})
    void shouldMatchANaiveCompositionForEveryFamily(ModelFamily family, boolean normTopkProb) {
        // given a model written in the family's own config keys and tensor names
        ModelGenerator.generate(dir, new ModelSpec(family, 1, 6, 2, 24, 40, normTopkProb, 5));
        Matrix x = TestTensors.gaussian(25, 24, 6);
        try (MoeModel model = MoeModel.open(dir); ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 0)) {
            // when
            Matrix y = layer.forward(x);

            // then
            assertThat(model.config().family()).isEqualTo(family);
            assertThat(Tolerance.maxRelativeError(y, NaiveMoe.layer(model, 0, x))).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void shouldGiveTheSameRowResultWhateverTheChunk() {
        // given: a row computed alone and inside a chunk
        ModelGenerator.generate(dir, new ModelSpec(1, 8, 2, 32, 64, 3));
        Matrix x = TestTensors.gaussian(10, 32, 4);
        try (MoeModel model = MoeModel.open(dir); ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 0)) {
            // when
            Matrix chunk = layer.forward(x);
            Matrix alone = layer.forward(x.gatherRows(new int[] {6}));

            // then
            assertThat(Tolerance.maxRelativeError(alone, chunk.gatherRows(new int[] {6}))).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void shouldRejectInputOfTheWrongWidth() {
        ModelGenerator.generate(dir, new ModelSpec(1, 4, 2, 16, 32, 3));
        try (MoeModel model = MoeModel.open(dir); ReferenceMoeLayer layer = new ReferenceMoeLayer(model, 0)) {
            assertThatThrownBy(() -> layer.forward(Matrix.zeros(2, 12)))
                    .hasMessage("input has 12 columns, the model's d_model is 16");
        }
    }

    @Test
    void shouldNameAMissingLayer() {
        ModelGenerator.generate(dir, new ModelSpec(1, 4, 2, 16, 32, 3));
        try (MoeModel model = MoeModel.open(dir)) {
            assertThatThrownBy(() -> new ReferenceMoeLayer(model, 5))
                    .hasMessageContaining("model.layers.5.block_sparse_moe.gate.weight");
        }
    }
}
