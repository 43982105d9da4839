package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The offline validator rejects broken manifests: an unknown field, a wrong type, a missing required field. */
class OfflineManifestValidatorTest {

    static ObjectNode template(String file, String kind) {
        Map<String, Object> values = new java.util.HashMap<>();
        for (String key : List.of("namespace", "kafkaCluster", "kafkaStorage", "bootstrapServers", "tokenTopic",
                "deadLetterTopic", "replyTopicPrefix", "expertTopicPrefix", "expertGroupPrefix", "routerGroup",
                "modelDir", "modelStorage", "imageTag", "computeDtype", "monitoringNamespace", "topicName", "resourceName",
                "expertName", "groupName", "experts", "expertGroup", "memory", "servedLayers", "expertLoadTopic", "alertsTopic",
                "imbalanceFor")) {
            values.put(key, "x");
        }
        for (String key : List.of("kafkaPort", "tokenPartitions", "partitions", "expertCount", "gpus", "minReplicas",
                "maxReplicas", "cpu", "lagThreshold", "activationLagThreshold", "gatewayLatencySeconds",
                "balancednessThreshold")) {
            values.put(key, 1);
        }
        return ManifestTemplates.render(file, values).stream()
                .filter(d -> d.path("kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    static String problemAfter(String file, String kind, Consumer<ObjectNode> breakIt) {
        ObjectNode document = template(file, kind);
        assertThat(OfflineManifestValidator.problem(document)).as("the unbroken " + kind).isEmpty();
        breakIt.accept(document);
        return OfflineManifestValidator.problem(document).orElse("");
    }

    static ObjectNode container(ObjectNode deployment) {
        return (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void rejectsAnUnknownFieldDeepInADeployment() {
        assertThat(problemAfter("expert.yaml", "Deployment", d -> container(d).put("imagePullPolicyy", "Always")))
                .contains("imagePullPolicyy");
    }

    @Test
    void rejectsAStringWhereADeploymentHasAnInteger() {
        assertThat(problemAfter("expert.yaml", "Deployment", d -> ((ObjectNode) d.path("spec")).put("replicas", "three")))
                .contains("replicas");
        assertThat(problemAfter("gateway.yaml", "Deployment", d -> ((ObjectNode) container(d).path("ports").get(0))
                .put("containerPort", "8080"))).contains("containerPort");
    }

    @Test
    void rejectsANumberWhereALabelHasAString() {
        assertThat(problemAfter("expert.yaml", "Deployment", d -> ((ObjectNode) d.path("metadata").path("labels"))
                .put("moe-stream/layer", 0))).contains("moe-stream/layer");
    }

    @Test
    void rejectsAMissingRequiredField() {
        assertThat(problemAfter("expert.yaml", "Deployment", d -> container(d).remove("name")))
                .contains("required field `name`");
        assertThat(problemAfter("router.yaml", "HorizontalPodAutoscaler", h -> ((ObjectNode) h.path("spec")).remove("maxReplicas")))
                .contains("maxReplicas");
    }

    @Test
    void rejectsBrokenStrimziResources() {
        assertThat(problemAfter("topic.yaml", "KafkaTopic", t -> ((ObjectNode) t.path("spec")).put("partition", 3)))
                .contains("partition");
        assertThat(problemAfter("topic.yaml", "KafkaTopic", t -> ((ObjectNode) t.path("spec")).put("partitions", "three")))
                .contains("partitions");
        // the template's ACL list is empty (ManifestGenerator fills it): break an ACL added to it
        assertThat(problemAfter("expert-user.yaml", "KafkaUser", u -> {
            ObjectNode acl = ((ArrayNode) u.path("spec").path("authorization").path("acls")).addObject();
            acl.putObject("resource").put("type", "topic").put("name", "moe.dlq").put("patternTyp", "literal");
            acl.putArray("operations").add("Write");
        })).contains("patternTyp");
        assertThat(problemAfter("kafka.yaml", "KafkaNodePool", p -> ((ObjectNode) p.path("spec")).putArray("roles").add("brokerr")))
                .contains("roles");
        assertThat(problemAfter("kafka.yaml", "KafkaNodePool", p -> ((ObjectNode) p.path("spec")).putArray("roles").add(1)))
                .contains("roles");
    }

    @Test
    void rejectsBrokenPrometheusOperatorResources() {
        assertThat(problemAfter("monitoring.yaml", "ServiceMonitor", m -> ((ObjectNode) m.path("spec").path("endpoints").get(0))
                .put("intervall", "15s"))).contains("intervall");
        assertThat(problemAfter("monitoring.yaml", "PrometheusRule", r -> ((ObjectNode) r.path("spec").path("groups").get(0))
                .put("rules", "none"))).contains("rules");
    }

    @Test
    void reportsAKindWithoutAModel() {
        ObjectNode widget = template("expert.yaml", "Deployment").put("apiVersion", "example.com/v1").put("kind", "Widget");
        assertThat(OfflineManifestValidator.problem(widget)).contains("no offline model for example.com/v1/Widget");
    }
}
