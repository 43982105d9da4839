package io.moestream.tools.k8s;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;

/**
 * Writes Kafka ACLs as a Strimzi {@code KafkaUser}'s {@code spec.authorization.acls}: one entry per resource pattern,
 * its operations in the order granted. The k8s users get their ACLs from the same lists as the local stack's
 * principals ({@code ServiceAcls}), so the two cannot drift apart.
 */
final class StrimziAcls {
    private StrimziAcls() {
    }

    /** Replaces the ACLs of the KafkaUser {@code user} with {@code acls}. */
    static void grant(ObjectNode user, List<AclBinding> acls) {
        ArrayNode entries = ((ObjectNode) user.path("spec").path("authorization")).putArray("acls");
        Map<ResourcePattern, ArrayNode> operations = new LinkedHashMap<>();
        for (AclBinding acl : acls) {
            operations.computeIfAbsent(acl.pattern(), pattern -> {
                ObjectNode entry = entries.addObject();
                entry.putObject("resource")
                        .put("type", pattern.resourceType().name().toLowerCase(Locale.ROOT))
                        .put("name", pattern.name())
                        .put("patternType", pattern.patternType() == PatternType.PREFIXED ? "prefix" : "literal");
                return entry.putArray("operations");
            }).add(operationName(acl.entry().operation()));
        }
    }

    /** Strimzi's name of an operation: {@code DESCRIBE_CONFIGS} is {@code DescribeConfigs}. */
    static String operationName(AclOperation operation) {
        StringBuilder name = new StringBuilder();
        for (String word : operation.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }
}
