package io.moestream.core.io;

import io.moestream.core.tensor.Fp16;
import io.moestream.core.tensor.Matrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files holding a 2-D float array in C order. Writes little-endian float32 (format
 * version 1.0); reads {@code <f4}, {@code <f8} and {@code <f2} (converted to float32), format versions
 * 1 to 3. Anything else (other dtypes, Fortran order, shapes that are not 2-D) fails with a message
 * naming the file and what is wrong.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int HEADER_ALIGNMENT = 64;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a 2-D array {@code [rows, cols]} as float32. */
    public static Matrix read(Path file) {
        ByteBuffer buf;
        try {
            buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String header = readHeader(file, buf);
        String descr = match(file, DESCR, header, "descr");
        if (match(file, FORTRAN, header, "fortran_order").equals("True")) {
            throw new IllegalArgumentException(file + ": fortran_order arrays are not supported; save in C order");
        }
        int[] shape = parseShape(file, match(file, SHAPE, header, "shape"));
        int count = Math.multiplyExact(shape[0], shape[1]);
        int elementSize = switch (descr) {
            case "<f4" -> Float.BYTES;
            case "<f8" -> Double.BYTES;
            case "<f2" -> Short.BYTES;
            default -> throw new IllegalArgumentException(
                    file + ": dtype '" + descr + "' is not supported (expected little-endian <f4, <f8 or <f2)");
        };
        if (buf.remaining() != (long) count * elementSize) {
            throw new IllegalArgumentException(file + ": shape (" + shape[0] + ", " + shape[1] + ") of " + descr
                    + " needs " + (long) count * elementSize + " data bytes but the file has " + buf.remaining());
        }
        return new Matrix(shape[0], shape[1], readData(buf, descr, count));
    }

    /** Writes {@code m} as a little-endian float32 array of shape {@code (rows, cols)}. */
    public static void write(Path file, Matrix m) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + m.rows() + ", " + m.cols() + "), }";
        // magic (6) + version (2) + length (2) + dict + padding + '\n' is a multiple of 64
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        int padding = (HEADER_ALIGNMENT - unpadded % HEADER_ALIGNMENT) % HEADER_ALIGNMENT;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate(unpadded + padding + m.data().length * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.US_ASCII));
        out.asFloatBuffer().put(m.data());
        try {
            Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String readHeader(Path file, ByteBuffer buf) {
        if (buf.remaining() < MAGIC.length + 4) {
            throw new IllegalArgumentException(file + ": too short to be a .npy file");
        }
        byte[] magic = new byte[MAGIC.length];
        buf.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException(file + ": not a .npy file (bad magic)");
        }
        int major = buf.get();
        buf.get();
        long length = switch (major) {
            case 1 -> Short.toUnsignedInt(buf.getShort());
            case 2, 3 -> Integer.toUnsignedLong(buf.getInt());
            default -> throw new IllegalArgumentException(file + ": unsupported .npy format version " + major);
        };
        if (length > buf.remaining()) {
            throw new IllegalArgumentException(file + ": header length " + length + " exceeds the file");
        }
        byte[] header = new byte[(int) length];
        buf.get(header);
        return new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    private static String match(Path file, Pattern pattern, String header, String key) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(file + ": header has no valid '" + key + "': " + header.strip());
        }
        return m.group(1);
    }

    private static int[] parseShape(Path file, String shape) {
        int[] dims = Arrays.stream(shape.split(",")).filter(part -> !part.isBlank())
                .mapToInt(part -> Integer.parseInt(part.strip())).toArray();
        if (dims.length != 2) {
            throw new IllegalArgumentException(file + ": shape (" + shape.strip() + ") is not 2-D; expected (rows, cols)");
        }
        return dims;
    }

    private static float[] readData(ByteBuffer buf, String descr, int count) {
        float[] out = new float[count];
        switch (descr) {
            case "<f4" -> buf.asFloatBuffer().get(out);
            case "<f8" -> {
                double[] values = new double[count];
                buf.asDoubleBuffer().get(values);
                for (int i = 0; i < count; i++) {
                    out[i] = (float) values[i];
                }
            }
            default -> {
                short[] halves = new short[count];
                buf.asShortBuffer().get(halves);
                for (int i = 0; i < count; i++) {
                    out[i] = Fp16.toFloat(halves[i]);
                }
            }
        }
        return out;
    }
}
