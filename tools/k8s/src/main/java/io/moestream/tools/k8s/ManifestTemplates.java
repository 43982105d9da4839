package io.moestream.tools.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The YAML templates of {@code k8s/templates}, filled in after parsing: every string scalar has its
 * {@code ${name}} placeholders replaced, so a value can never change the document's structure. A scalar that is
 * exactly {@code ${name:int}} becomes a number; {@code $${} stands for a literal {@code ${} (a Quarkus expression
 * inside a config file). A placeholder without a value is an error naming the template and the placeholder.
 */
public final class ManifestTemplates {
    static final String RESOURCE_DIR = "/k8s-templates/";
    private static final Pattern PLACEHOLDER = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z][A-Za-z0-9]*)(:int)?}");
    private static final Pattern WHOLE_INT = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9]*):int}");

    static final YAMLMapper YAML = new YAMLMapper();

    private ManifestTemplates() {
    }

    /** The documents of one template, filled in with {@code values}. */
    public static List<ObjectNode> render(String template, Map<String, ?> values) {
        List<ObjectNode> documents = new ArrayList<>();
        try (InputStream in = ManifestTemplates.class.getResourceAsStream(RESOURCE_DIR + template)) {
            if (in == null) {
                throw new IllegalStateException("no template " + template + " in " + RESOURCE_DIR);
            }
            for (Iterator<JsonNode> it = YAML.readValues(YAML.createParser(in), JsonNode.class); it.hasNext(); ) {
                JsonNode document = it.next();
                if (document != null && !document.isNull()) {
                    documents.add((ObjectNode) fill(document, template, values));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + template, e);
        }
        return documents;
    }

    private static JsonNode fill(JsonNode node, String template, Map<String, ?> values) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            object.properties().forEach(entry -> entry.setValue(fill(entry.getValue(), template, values)));
            return object;
        }
        if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, fill(array.get(i), template, values));
            }
            return array;
        }
        if (!node.isTextual()) {
            return node;
        }
        String text = node.textValue();
        Matcher whole = WHOLE_INT.matcher(text);
        if (whole.matches()) {
            Object value = value(whole.group(1), template, values);
            try {
                return IntNode.valueOf(Integer.parseInt(value.toString()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(template + ": ${" + whole.group(1) + ":int} is not an integer: " + value);
            }
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder filled = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(filled, Matcher.quoteReplacement(value(matcher.group(1), template, values).toString()));
        }
        matcher.appendTail(filled);
        return TextNode.valueOf(filled.toString().replace("$${", "${"));
    }

    private static Object value(String name, String template, Map<String, ?> values) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(template + ": no value for ${" + name + "}");
        }
        return value;
    }
}
