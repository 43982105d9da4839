package io.moestream.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorCodec;
import io.moestream.proto.v1.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One open safetensors file: {@code u64 LE header length}, a JSON header
 * {@code {name: {dtype, shape, data_offsets}}} (plus an optional {@code __metadata__}), then the data.
 * Tensors are read by memory-mapping their own byte range, so files past 2 GB work. Entries are checked
 * when read, so a checkpoint may hold tensors of kinds this class cannot convert as long as they are
 * never asked for.
 */
final class SafetensorsFile implements AutoCloseable {
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(String dtype, long[] shape, long begin, long end) {
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    static SafetensorsFile open(Path file) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > channel.size() - Long.BYTES) {
                throw new IllegalArgumentException(file + ": header length " + headerLength + " is invalid for a "
                        + channel.size() + "-byte file; is this a safetensors file?");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, Long.BYTES);
            Map<String, Entry> entries = parseHeader(file, JSON.readTree(header.array()));
            return new SafetensorsFile(file, channel, Long.BYTES + headerLength, entries);
        } catch (IOException e) {
            closeAfterFailure(channel, e);
            throw new UncheckedIOException("cannot read safetensors file " + file, e);
        } catch (RuntimeException e) {
            closeAfterFailure(channel, e);
            throw e;
        }
    }

    Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** The tensor {@code name} as a matrix: 2-D as is, 1-D as {@code [1, n]}, a scalar as {@code [1, 1]}. */
    Matrix matrix(String name) {
        Entry entry = entry(name);
        long[] shape = entry.shape;
        if (shape.length > 2) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " has shape "
                    + Arrays.toString(shape) + "; only 1-D and 2-D tensors can be read as a matrix");
        }
        long rows = shape.length == 2 ? shape[0] : 1;
        long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        return read(name, entry, 0, rows, cols);
    }

    /** The shape of tensor {@code name}, as its header gives it. */
    long[] shape(String name) {
        return entry(name).shape.clone();
    }

    /**
     * Rows {@code [rowFrom, rowFrom + rowCount)} of matrix {@code index} of the 3-D tensor {@code name}
     * {@code [n, rows, cols]}: only those bytes are read, so one expert of a fused expert tensor never brings the
     * others onto the heap.
     */
    Matrix slice(String name, int index, int rowFrom, int rowCount) {
        Entry entry = entry(name);
        long[] shape = entry.shape;
        if (shape.length != 3) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " has shape " + Arrays.toString(shape)
                    + "; a slice needs a 3-D tensor");
        }
        if (index < 0 || index >= shape[0] || rowFrom < 0 || rowCount < 1 || rowFrom + (long) rowCount > shape[1]) {
            throw new IllegalArgumentException("slice [" + index + ", " + rowFrom + ":" + (rowFrom + rowCount)
                    + ", :] is outside tensor " + name + " " + Arrays.toString(shape) + " in " + file);
        }
        long firstRow = (long) index * shape[1] + rowFrom;
        return read(name, entry, firstRow, rowCount, shape[2]);
    }

    /** Row {@code index} of the 2-D tensor {@code name} {@code [n, cols]} as {@code [1, cols]}, reading only its bytes. */
    Matrix row(String name, int index) {
        Entry entry = entry(name);
        long[] shape = entry.shape;
        if (shape.length != 2) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " has shape " + Arrays.toString(shape)
                    + "; a row needs a 2-D tensor");
        }
        if (index < 0 || index >= shape[0]) {
            throw new IllegalArgumentException("row " + index + " is outside tensor " + name + " "
                    + Arrays.toString(shape) + " in " + file);
        }
        return read(name, entry, index, 1, shape[1]);
    }

    /**
     * The bytes of {@code [index, ...]} of the U8 tensor {@code name} (one expert of a packed MXFP4 tensor), memory-mapped,
     * little-endian; only those bytes are read.
     */
    ByteBuffer bytes(String name, int index) {
        Entry entry = entry(name);
        long[] shape = entry.shape;
        if (!entry.dtype.equals("U8")) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " has dtype " + entry.dtype + "; expected U8");
        }
        if (shape.length < 2 || index < 0 || index >= shape[0]) {
            throw new IllegalArgumentException("[" + index + ", ...] is outside tensor " + name + " "
                    + Arrays.toString(shape) + " in " + file);
        }
        long total = 1;
        for (long dim : shape) {
            total *= dim;
        }
        if (entry.end - entry.begin != total || entry.begin < 0) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " has data_offsets [" + entry.begin
                    + ", " + entry.end + "] but shape " + Arrays.toString(shape) + " of U8 needs " + total + " bytes");
        }
        long bytes = total / shape[0];
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " is too large per index");
        }
        try {
            if (dataStart + entry.end > channel.size()) {
                throw new IllegalArgumentException("tensor " + name + " runs past the end of " + file);
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin + index * bytes, bytes)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor " + name + " from " + file, e);
        }
    }

    /** The safetensors dtype of tensor {@code name} as written in the header, e.g. {@code BF16} or {@code U8}. */
    String dtype(String name) {
        return entry(name).dtype;
    }

    private Entry entry(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(file + " has no tensor " + name);
        }
        return entry;
    }

    /** Reads {@code rows} rows of {@code cols} elements from row {@code firstRow} of the tensor's data. */
    private Matrix read(String name, Entry entry, long firstRow, long rows, long cols) {
        DType dtype = switch (entry.dtype) {
            case "F32" -> DType.FP32;
            case "F16" -> DType.FP16;
            case "BF16" -> DType.BF16;
            default -> throw new IllegalArgumentException(
                    "tensor " + name + " in " + file + " has dtype " + entry.dtype + "; supported: F32, F16, BF16");
        };
        long elementSize = TensorCodec.elementSize(dtype);
        long total = elementSize;
        for (long dim : entry.shape) {
            total *= dim;
        }
        if (entry.end - entry.begin != total || entry.begin < 0) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " has data_offsets ["
                    + entry.begin + ", " + entry.end + "] but shape " + Arrays.toString(entry.shape) + " of "
                    + entry.dtype + " needs " + total + " bytes");
        }
        long bytes = rows * cols * elementSize;
        if (rows * cols > Integer.MAX_VALUE - 8 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " is too large for one matrix");
        }
        try {
            if (dataStart + entry.end > channel.size()) {
                throw new IllegalArgumentException("tensor " + name + " runs past the end of " + file);
            }
            long offset = dataStart + entry.begin + firstRow * cols * elementSize;
            ByteBuffer region = channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes);
            return new Matrix((int) rows, (int) cols, TensorCodec.decode(region, dtype, (int) (rows * cols)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor " + name + " from " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }

    private static Map<String, Entry> parseHeader(Path file, JsonNode header) {
        if (!header.isObject()) {
            throw new IllegalArgumentException(file + ": safetensors header is not a JSON object");
        }
        Map<String, Entry> entries = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode node = field.getValue();
            JsonNode shape = node.path("shape");
            JsonNode offsets = node.path("data_offsets");
            if (!node.path("dtype").isTextual() || !shape.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IllegalArgumentException(
                        file + ": header entry " + field.getKey() + " lacks dtype, shape or data_offsets: " + node);
            }
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).asLong();
            }
            entries.put(field.getKey(),
                    new Entry(node.get("dtype").asText(), dims, offsets.get(0).asLong(), offsets.get(1).asLong()));
        }
        return entries;
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position) throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int n = channel.read(target, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    private static void closeAfterFailure(FileChannel channel, Exception failure) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
