package io.moestream.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Typed reads of {@code config.json} keys whose errors name the file and the key. */
record ConfigKeys(Path file, JsonNode json) {

    int integer(String key) {
        JsonNode value = json.get(key);
        if (value == null || value.isNull() || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": key " + key + " is missing or not an integer");
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

    String text(String key, String absent) {
        return present(key) ? json.get(key).asText() : absent;
    }

    IllegalArgumentException invalid(String key, String problem) {
        return new IllegalArgumentException(file + ": key " + key + " " + problem);
    }

    private boolean present(String key) {
        return json.has(key) && !json.get(key).isNull();
    }
}
