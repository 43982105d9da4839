package io.moestream.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed reads of {@code config.json} keys whose errors name the file and the key; {@code scope} is the path of the
 * object read ({@code ""} for the top level, {@code "text_config."} for a multimodal config's text model).
 */
record ConfigKeys(Path file, JsonNode json, String scope) {

    ConfigKeys(Path file, JsonNode json) {
        this(file, json, "");
    }

    int integer(String key) {
        JsonNode value = json.get(key);
        if (value == null || value.isNull() || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": key " + scope + key + " is missing or not an integer");
        }
        return value.intValue();
    }

    int integer(String key, int absent) {
        return present(key) ? integer(key) : absent;
    }

    float decimal(String key, float absent) {
        if (!present(key)) {
            return absent;
        }
        JsonNode value = json.get(key);
        if (!value.isNumber()) {
            throw invalid(key, "is not a number");
        }
        return value.floatValue();
    }

    boolean bool(String key, boolean absent) {
        if (!present(key)) {
            return absent;
        }
        JsonNode value = json.get(key);
        if (!value.isBoolean()) {
            throw invalid(key, "is not true or false");
        }
        return value.booleanValue();
    }

    /** The integers of the array at {@code key}, or empty when it is absent or null. */
    Optional<List<Integer>> integers(String key) {
        if (!present(key)) {
            return Optional.empty();
        }
        JsonNode value = json.get(key);
        if (!value.isArray()) {
            throw invalid(key, "is not an array of integers");
        }
        List<Integer> values = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isIntegralNumber() || !element.canConvertToInt()) {
                throw invalid(key, "holds " + element + ", not an integer");
            }
            values.add(element.intValue());
        }
        return Optional.of(values);
    }

    String text(String key, String absent) {
        return present(key) ? json.get(key).asText() : absent;
    }

    IllegalArgumentException invalid(String key, String problem) {
        return new IllegalArgumentException(file + ": key " + scope + key + " " + problem);
    }

    private boolean present(String key) {
        return json.has(key) && !json.get(key).isNull();
    }
}
