package io.moestream.core.placement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The placement plan as a JSON file (docs/CONTRACTS.md, "Placement plan"):
 * <pre>
 * {"groupMemoryMib": 8192,
 *  "groups": [{"name": "0", "experts": "0:0-63,1:0-63", "replicas": 1, "partitions": 1}, ...]}
 * </pre>
 * {@code groupMemoryMib}, {@code replicas} and {@code partitions} are optional (0 = no budget, 1, 1); any other key is
 * refused, so a misspelt one does not pass silently.
 */
public final class PlanFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> PLAN_KEYS = Set.of("groupMemoryMib", "groups");
    private static final Set<String> GROUP_KEYS = Set.of("name", "experts", "replicas", "partitions");

    private PlanFile() {
    }

    /** @throws IllegalArgumentException naming the file and what is wrong in it */
    public static PlacementPlan read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("placement plan " + file + " is not readable JSON: " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static PlacementPlan parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("placement plan: expected a JSON object with \"groups\"");
        }
        checkKeys(root, PLAN_KEYS, "the plan");
        JsonNode groups = root.get("groups");
        if (groups == null || !groups.isArray()) {
            throw new IllegalArgumentException("placement plan: \"groups\" must be an array of groups");
        }
        List<ExpertGroup> parsed = new ArrayList<>();
        for (JsonNode group : groups) {
            if (!group.isObject()) {
                throw new IllegalArgumentException("placement plan: a group must be an object, got " + group);
            }
            String name = group.path("name").asText(null);
            checkKeys(group, GROUP_KEYS, "group '" + name + "'");
            JsonNode experts = group.get("experts");
            if (experts == null || !experts.isTextual()) {
                throw new IllegalArgumentException("placement plan: group '" + name
                        + "' needs \"experts\", a text such as \"0:0-63,1:5\"");
            }
            try {
                parsed.add(new ExpertGroup(name, List.copyOf(ExpertRanges.parse(experts.asText())),
                        positive(group, "replicas", name), positive(group, "partitions", name)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("placement plan: " + (e.getMessage().startsWith("group")
                        ? e.getMessage() : "group '" + name + "': " + e.getMessage()), e);
            }
        }
        return new PlacementPlan(parsed, root.path("groupMemoryMib").asLong(0));
    }

    public static void write(PlacementPlan plan, Path file) {
        try {
            Files.writeString(file, toJson(plan) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the placement plan to " + file, e);
        }
    }

    public static String toJson(PlacementPlan plan) {
        ObjectNode root = JSON.createObjectNode();
        if (plan.groupMemoryMib() > 0) {
            root.put("groupMemoryMib", plan.groupMemoryMib());
        }
        ArrayNode groups = root.putArray("groups");
        for (ExpertGroup group : plan.groups()) {
            groups.addObject()
                    .put("name", group.name())
                    .put("experts", group.expertSpec())
                    .put("replicas", group.replicas())
                    .put("partitions", group.partitions());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int positive(JsonNode group, String key, String name) {
        JsonNode value = group.get(key);
        if (value == null) {
            return 1;
        }
        if (!value.canConvertToInt()) {
            throw new IllegalArgumentException("placement plan: group '" + name + "': \"" + key + "\" must be a whole number, got " + value);
        }
        return value.asInt();
    }

    private static void checkKeys(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!known.contains(key)) {
                throw new IllegalArgumentException("placement plan: unknown key \"" + key + "\" in " + where
                        + " (known: " + known + ")");
            }
        }
    }
}
