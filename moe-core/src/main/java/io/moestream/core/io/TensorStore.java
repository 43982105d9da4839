package io.moestream.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moestream.core.tensor.Matrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a model directory in Hugging Face layout: a single {@code model.safetensors}, or shards
 * listed by {@code model.safetensors.index.json} ({@code weight_map}: tensor name to file name). Each file
 * is opened once; tensors are read on demand. Safe for concurrent reads.
 */
public final class TensorStore implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path modelDir;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private TensorStore(Path modelDir, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.modelDir = modelDir;
        this.files = files;
        this.byName = byName;
    }

    public static TensorStore open(Path modelDir) {
        Path index = modelDir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(modelDir, index);
        }
        Path single = modelDir.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new IllegalArgumentException("no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + modelDir);
        }
        SafetensorsFile file = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> byName = new HashMap<>();
        file.names().forEach(name -> byName.put(name, file));
        return new TensorStore(modelDir, List.of(file), byName);
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The tensor {@code name} as a matrix (1-D tensors as {@code [1, n]}); a missing name is an error naming it. */
    public Matrix matrix(String name) {
        return file(name).matrix(name);
    }

    /** The shape of tensor {@code name}; a missing name is an error naming it. */
    public long[] shape(String name) {
        return file(name).shape(name);
    }

    /** The safetensors dtype of tensor {@code name} ({@code F32}, {@code BF16}, {@code U8}...); a missing name is an error naming it. */
    public String dtype(String name) {
        return file(name).dtype(name);
    }

    /** Rows {@code [rowFrom, rowFrom + rowCount)} of matrix {@code index} of a 3-D tensor, reading only those bytes. */
    public Matrix slice(String name, int index, int rowFrom, int rowCount) {
        return file(name).slice(name, index, rowFrom, rowCount);
    }

    /** Row {@code index} of a 2-D tensor as {@code [1, cols]}, reading only those bytes (one expert's bias). */
    public Matrix row(String name, int index) {
        return file(name).row(name, index);
    }

    /** The bytes of {@code [index, ...]} of a U8 tensor (one expert of a packed MXFP4 tensor), reading only those. */
    public ByteBuffer bytes(String name, int index) {
        return file(name).bytes(name, index);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile file = byName.get(name);
        if (file == null) {
            throw new IllegalArgumentException("missing tensor " + name + " in " + modelDir);
        }
        return file;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (SafetensorsFile file : files) {
            try {
                file.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static TensorStore openSharded(Path modelDir, Path index) {
        JsonNode weightMap;
        try {
            weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        }
        if (!weightMap.isObject()) {
            throw new IllegalArgumentException(index + " has no weight_map object");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byName = new HashMap<>();
        try {
            for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
                String shardName = entry.getValue().asText();
                SafetensorsFile shard = shards.computeIfAbsent(shardName, n -> SafetensorsFile.open(modelDir.resolve(n)));
                if (!shard.names().contains(entry.getKey())) {
                    throw new IllegalArgumentException(
                            index + " maps " + entry.getKey() + " to " + shardName + ", which has no such tensor");
                }
                byName.put(entry.getKey(), shard);
            }
        } catch (RuntimeException e) {
            new TensorStore(modelDir, new ArrayList<>(shards.values()), byName).closeAfterFailure(e);
            throw e;
        }
        return new TensorStore(modelDir, new ArrayList<>(shards.values()), byName);
    }

    private void closeAfterFailure(RuntimeException failure) {
        try {
            close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
