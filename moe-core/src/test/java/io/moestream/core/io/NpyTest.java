package io.moestream.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.tensor.Fp16;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.testing.TestTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripAMatrix() {
        // given
        Matrix m = TestTensors.gaussian(5, 7, 1);
        Path file = dir.resolve("x.npy");

        // when
        Npy.write(file, m);

        // then
        assertThat(Npy.read(file)).isEqualTo(m);
    }

    @Test
    void shouldWriteTheStandardHeader() throws IOException {
        Path file = dir.resolve("x.npy");
        Npy.write(file, Matrix.zeros(2, 3));

        byte[] bytes = Files.readAllBytes(file);
        String header = new String(bytes, 10, 118, StandardCharsets.US_ASCII);

        assertThat(bytes).startsWith(0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0);
        assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").endsWith("\n");
        assertThat(bytes).hasSize(128 + 6 * 4);
    }

    @Test
    void shouldReadAHandMadeFloat32File() throws IOException {
        // given: a header as NumPy writes it, spaces and all
        Path file = write("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", "<f4",
                new double[] {1.5, -2, 3.25, 0});

        // when
        Matrix m = Npy.read(file);

        // then
        assertThat(m.rows()).isEqualTo(2);
        assertThat(m.cols()).isEqualTo(2);
        assertThat(m.data()).containsExactly(1.5f, -2f, 3.25f, 0f);
    }

    @Test
    void shouldConvertFloat64AndFloat16() throws IOException {
        Path f8 = write("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }", "<f8", new double[] {0.1, 2, -3});
        Path f2 = write("{'descr': '<f2', 'fortran_order': False, 'shape': (3, 1), }", "<f2", new double[] {0.5, 2, -3});

        assertThat(Npy.read(f8).data()).containsExactly(0.1f, 2f, -3f);
        Matrix half = Npy.read(f2);
        assertThat(half.rows()).isEqualTo(3);
        assertThat(half.data()).containsExactly(0.5f, 2f, -3f);
    }

    @Test
    void shouldRejectFortranOrder() throws IOException {
        Path file = write("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "<f4", new double[4]);

        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fortran_order");
    }

    @Test
    void shouldNameAShapeThatIsNot2D() throws IOException {
        Path file = write("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", "<f4", new double[4]);

        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shape (4,) is not 2-D");
    }

    @Test
    void shouldNameAnUnsupportedDtype() throws IOException {
        Path file = write("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", "<f4", new double[1]);

        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dtype '<i4' is not supported");
    }

    @Test
    void shouldNameATruncatedFile() throws IOException {
        Path file = write("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", "<f4", new double[3]);

        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 16 data bytes but the file has 12");
    }

    private Path write(String dict, String dtype, double[] values) throws IOException {
        String header = dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n";
        int size = switch (dtype) {
            case "<f8" -> 8;
            case "<f2" -> 2;
            default -> 4;
        };
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + values.length * size).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        for (double v : values) {
            switch (dtype) {
                case "<f8" -> buf.putDouble(v);
                case "<f2" -> buf.putShort(Fp16.fromFloat((float) v));
                default -> buf.putFloat((float) v);
            }
        }
        Path file = Files.createTempFile(dir, "fixture", ".npy");
        Files.write(file, buf.array());
        return file;
    }
}
