package io.moestream.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.testing.Tolerance;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FP32", "FP16", "BF16"})
    void shouldRoundTripASingleFile(DType dtype) {
        // given
        Map<String, Matrix> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", TestTensors.gaussian(4, 6, 1));
        tensors.put("b.weight", TestTensors.gaussian(3, 5, 2));

        // when
        SafetensorsWriter.write(dir.resolve(TensorStore.SINGLE_FILE), tensors, dtype);

        // then
        try (TensorStore store = TensorStore.open(dir)) {
            for (Map.Entry<String, Matrix> e : tensors.entrySet()) {
                assertThat(store.contains(e.getKey())).isTrue();
                assertThat(store.matrix(e.getKey())).isEqualTo(roundedTo(e.getValue(), dtype));
            }
            assertThat(store.contains("c.weight")).isFalse();
        }
    }

    @Test
    void shouldStartTheDataSectionEightByteAligned() throws IOException {
        SafetensorsWriter.write(dir.resolve("x.safetensors"), Map.of("x", Matrix.zeros(1, 1)), DType.FP32);

        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("x.safetensors"))).order(ByteOrder.LITTLE_ENDIAN);

        long headerLength = file.getLong();
        assertThat(headerLength % 8).isZero();
        assertThat(file.capacity()).isEqualTo(8 + headerLength + 4);
    }

    @Test
    void shouldReadShardsThroughTheIndex() throws IOException {
        // given: two shards and an index mapping each tensor to its shard
        Matrix a = TestTensors.gaussian(2, 3, 5);
        Matrix b = TestTensors.gaussian(3, 2, 6);
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), Map.of("a", a), DType.FP32);
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), Map.of("b", b), DType.FP32);
        Files.writeString(dir.resolve(TensorStore.INDEX_FILE), """
                {"metadata": {"total_size": 48},
                 "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
                """);

        // when
        try (TensorStore store = TensorStore.open(dir)) {
            // then
            assertThat(store.matrix("a")).isEqualTo(a);
            assertThat(store.matrix("b")).isEqualTo(b);
        }
    }

    @Test
    void shouldNameTheIndexEntryWhoseShardLacksTheTensor() throws IOException {
        SafetensorsWriter.write(dir.resolve("shard.safetensors"), Map.of("a", Matrix.zeros(1, 1)), DType.FP32);
        Files.writeString(dir.resolve(TensorStore.INDEX_FILE),
                "{\"weight_map\": {\"ghost\": \"shard.safetensors\"}}");

        assertThatThrownBy(() -> TensorStore.open(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maps ghost to shard.safetensors");
    }

    @Test
    void shouldNameAMissingTensor() {
        SafetensorsWriter.write(dir.resolve(TensorStore.SINGLE_FILE), Map.of("a", Matrix.zeros(1, 1)), DType.FP32);

        try (TensorStore store = TensorStore.open(dir)) {
            assertThatThrownBy(() -> store.matrix("model.layers.0.mlp.gate.weight"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("missing tensor model.layers.0.mlp.gate.weight");
        }
    }

    @Test
    void shouldNameADirectoryWithoutSafetensors() {
        assertThatThrownBy(() -> TensorStore.open(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no model.safetensors or model.safetensors.index.json");
    }

    @Test
    void shouldReadOneDimensionalTensorsAsASingleRowAndKeepMetadataOut() throws IOException {
        // given: a hand-made file with metadata, a 1-D F32 tensor and an I64 tensor
        writeRaw(dir.resolve(TensorStore.SINGLE_FILE), """
                {"__metadata__":{"format":"pt"},
                 "bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},
                 "ids":{"dtype":"I64","shape":[1],"data_offsets":[12,20]}}""",
                TensorCodec.encode(new float[] {1f, 2f, 3f, 0f, 0f}, DType.FP32));

        try (TensorStore store = TensorStore.open(dir)) {
            // when
            Matrix bias = store.matrix("bias");

            // then
            assertThat(bias).isEqualTo(new Matrix(1, 3, new float[] {1f, 2f, 3f}));
            assertThat(store.contains("__metadata__")).isFalse();
            assertThatThrownBy(() -> store.matrix("ids")).hasMessageContaining("has dtype I64");
        }
    }

    @Test
    void shouldNameOffsetsThatDisagreeWithTheShape() throws IOException {
        writeRaw(dir.resolve(TensorStore.SINGLE_FILE),
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,6]}}", new byte[8]);

        try (TensorStore store = TensorStore.open(dir)) {
            assertThatThrownBy(() -> store.matrix("w"))
                    .hasMessageContaining("data_offsets [0, 6] but shape [2, 2] of F16 needs 8 bytes");
        }
    }

    private static Matrix roundedTo(Matrix m, DType dtype) {
        float[] rounded = TensorCodec.decode(ByteBuffer.wrap(TensorCodec.encode(m.data(), dtype)), dtype,
                m.data().length);
        Matrix expected = new Matrix(m.rows(), m.cols(), rounded);
        assertThat(Tolerance.maxRelativeError(expected, m)).isLessThan(1e-2);
        return expected;
    }

    private static void writeRaw(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json).put(data);
        Files.write(file, buf.array());
    }
}
