package io.moestream.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes safetensors files of 2-D tensors (and 1-D and stacked 3-D ones) in FP32, FP16 or BF16, and of raw U8 tensors
 * of any shape (MXFP4's packed weights).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Name and shape of one tensor, known before its data so the header can be written first.
     *
     * @param vector   whether the tensor is 1-D {@code [cols]} (then {@code rows == 1}) rather than {@code [rows, cols]}
     * @param matrices for a 3-D tensor {@code [matrices, rows, cols]}, how many {@code [rows, cols]} matrices it
     *                 stacks (its data is given as one {@code [matrices · rows, cols]} matrix); 1 otherwise
     * @param u8Shape  the shape of a raw U8 tensor, whose data is given as bytes; null for a float tensor
     */
    public record TensorHeader(String name, int rows, int cols, boolean vector, int matrices, long[] u8Shape) {
        public TensorHeader(String name, int rows, int cols) {
            this(name, rows, cols, false, 1, null);
        }

        /** A raw U8 tensor of {@code shape}. */
        public static TensorHeader u8(String name, long... shape) {
            return new TensorHeader(name, 1, 1, false, 1, shape.clone());
        }

        /** Bytes of the tensor's data in the file. */
        long bytes(int elementSize) {
            if (u8Shape == null) {
                return (long) dataRows() * cols * elementSize;
            }
            long total = 1;
            for (long dim : u8Shape) {
                total *= dim;
            }
            return total;
        }

        /** A 1-D tensor of {@code length} elements, read back as {@code [1, length]}. */
        public static TensorHeader vector(String name, int length) {
            return new TensorHeader(name, 1, length, true, 1, null);
        }

        /** A 3-D tensor {@code [matrices, rows, cols]} (e.g. a fused expert tensor). */
        public static TensorHeader stacked(String name, int matrices, int rows, int cols) {
            return new TensorHeader(name, rows, cols, false, matrices, null);
        }

        /** Rows of the {@code [rows, cols]} matrix that holds the tensor's data. */
        public int dataRows() {
            return Math.multiplyExact(matrices, rows);
        }
    }

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} (in the map's iteration order) to {@code file} as {@code dtype}. */
    public static void write(Path file, Map<String, Matrix> tensors, DType dtype) {
        List<TensorHeader> headers = tensors.entrySet().stream()
                .map(e -> new TensorHeader(e.getKey(), e.getValue().rows(), e.getValue().cols()))
                .toList();
        write(file, headers, tensors::get, dtype);
    }

    /**
     * Streams tensors to {@code file}: the header comes from {@code headers}, then {@code source} is asked for
     * each tensor in that order, so only one tensor needs to be in memory at a time.
     */
    public static void write(Path file, List<TensorHeader> headers, Function<String, Matrix> source, DType dtype) {
        write(file, headers, source, name -> {
            throw new IllegalArgumentException("no bytes for the U8 tensor " + name);
        }, dtype);
    }

    /** As above, with {@code bytes} giving the data of the U8 tensors. */
    public static void write(Path file, List<TensorHeader> headers, Function<String, Matrix> source,
                             Function<String, byte[]> bytes, DType dtype) {
        int elementSize = TensorCodec.elementSize(dtype);
        byte[] header = header(headers, dtype, elementSize);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
            writeFully(channel, prefix.putLong(header.length).put(header).flip());
            for (TensorHeader h : headers) {
                if (h.u8Shape() != null) {
                    byte[] data = bytes.apply(h.name());
                    if (data.length != h.bytes(1)) {
                        throw new IllegalArgumentException("tensor " + h.name() + " should have " + h.bytes(1)
                                + " bytes but has " + data.length);
                    }
                    writeFully(channel, ByteBuffer.wrap(data));
                    continue;
                }
                Matrix m = source.apply(h.name());
                if (m == null || m.rows() != h.dataRows() || m.cols() != h.cols()) {
                    throw new IllegalArgumentException("tensor " + h.name() + " should be [" + h.dataRows() + ", "
                            + h.cols() + "] but is " + m);
                }
                writeFully(channel, ByteBuffer.wrap(TensorCodec.encode(m.data(), dtype)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static byte[] header(List<TensorHeader> headers, DType dtype, int elementSize) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (TensorHeader h : headers) {
            long end = offset + h.bytes(elementSize);
            ObjectNode entry = root.putObject(h.name());
            entry.put("dtype", h.u8Shape() != null ? "U8" : safetensorsDType(dtype));
            if (h.u8Shape() != null) {
                for (long dim : h.u8Shape()) {
                    entry.withArray("shape").add(dim);
                }
            } else if (h.vector()) {
                entry.putArray("shape").add(h.cols());
            } else if (h.matrices() > 1) {
                entry.putArray("shape").add(h.matrices()).add(h.rows()).add(h.cols());
            } else {
                entry.putArray("shape").add(h.rows()).add(h.cols());
            }
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        try {
            String json = JSON.writeValueAsString(root);
            // pad with spaces so the data section starts 8-byte aligned
            int padding = (8 - json.getBytes(StandardCharsets.UTF_8).length % 8) % 8;
            return (json + " ".repeat(padding)).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a safetensors header", e);
        }
    }

    private static String safetensorsDType(DType dtype) {
        return switch (dtype) {
            case FP32 -> "F32";
            case FP16 -> "F16";
            case BF16 -> "BF16";
            default -> throw new IllegalArgumentException("unknown dtype " + dtype);
        };
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
