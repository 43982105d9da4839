package io.moestream.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a safetensors file of raw tensors of any dtype (such as MXFP4's U8 blocks), for tests of the readers. */
public final class RawSafetensors {
    private final List<Object[]> tensors = new ArrayList<>();

    /** Adds {@code bytes} as tensor {@code name} of {@code dtype} and {@code shape}. */
    public RawSafetensors add(String name, String dtype, long[] shape, byte[] bytes) {
        tensors.add(new Object[] {name, dtype, shape, bytes});
        return this;
    }

    /** Adds an F32 tensor. */
    public RawSafetensors addF32(String name, long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return add(name, "F32", shape, buffer.array());
    }

    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Object[] t : tensors) {
            ObjectNode entry = header.putObject((String) t[0]);
            entry.put("dtype", (String) t[1]);
            for (long dim : (long[]) t[2]) {
                entry.withArray("shape").add(dim);
            }
            byte[] bytes = (byte[]) t[3];
            entry.putArray("data_offsets").add(data.size()).add(data.size() + bytes.length);
            data.write(bytes);
        }
        byte[] head = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Long.BYTES + head.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(head.length).put(head).put(data.toByteArray());
        Files.write(file, out.array());
    }
}
