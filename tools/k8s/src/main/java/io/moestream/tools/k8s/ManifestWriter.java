package io.moestream.tools.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes rendered manifests as multi-document YAML files under an output directory. Every string is quoted, so no
 * YAML reader takes a label such as {@code "0"} or a value such as {@code "0:0"} for a number.
 */
public final class ManifestWriter {
    private static final YAMLMapper OUT = new YAMLMapper(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    private ManifestWriter() {
    }

    /** One document as {@link #write} writes it. */
    static String text(JsonNode document) throws JsonProcessingException {
        return OUT.writeValueAsString(document);
    }

    public static void write(Path outDir, Map<String, List<ObjectNode>> files) throws IOException {
        for (Map.Entry<String, List<ObjectNode>> file : files.entrySet()) {
            Path path = outDir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            try (Writer writer = Files.newBufferedWriter(path);
                 SequenceWriter documents = OUT.writer().writeValues(writer)) {
                documents.writeAll(file.getValue());
            }
        }
    }
}
