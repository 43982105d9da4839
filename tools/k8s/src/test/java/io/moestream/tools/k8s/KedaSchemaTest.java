package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KEDA's schema rejects broken ScaledObjects and TriggerAuthentications: unknown fields, wrong types, missing fields. */
class KedaSchemaTest {

    @BeforeEach // not BeforeAll: where it skips, each test is reported as skipped
    void install() throws Exception {
        KedaSchema.install();
    }

    private static String problemAfter(String file, String kind, Consumer<ObjectNode> breakIt) throws Exception {
        ObjectNode document = OfflineManifestValidatorTest.template(file, kind);
        assertThat(KedaSchema.problemsOf(document)).as("the unbroken " + kind).isEmpty();
        breakIt.accept(document);
        return KedaSchema.problemsOf(document);
    }

    private static String scaledObjectAfter(Consumer<ObjectNode> breakIt) throws Exception {
        return problemAfter("expert.yaml", "ScaledObject", breakIt);
    }

    private static String triggerAuthenticationAfter(Consumer<ObjectNode> breakIt) throws Exception {
        return problemAfter("experts-common.yaml", "TriggerAuthentication", breakIt);
    }

    private static ObjectNode spec(ObjectNode document) {
        return (ObjectNode) document.path("spec");
    }

    private static ObjectNode trigger(ObjectNode scaledObject) {
        return (ObjectNode) scaledObject.path("spec").path("triggers").get(0);
    }

    @Test
    void rejectsUnknownFieldsAtAnyDepth() throws Exception {
        assertThat(scaledObjectAfter(s -> spec(s).put("pollingIntervall", 10)))
                .contains("/spec/pollingIntervall: unknown field");
        assertThat(scaledObjectAfter(s -> ((ObjectNode) s.path("spec").path("advanced").path("horizontalPodAutoscalerConfig")
                .path("behavior").path("scaleDown")).put("stabilisationWindowSeconds", 300)))
                .contains("/spec/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown/stabilisationWindowSeconds: unknown field");
        assertThat(scaledObjectAfter(s -> trigger(s).set("authRef", trigger(s).remove("authenticationRef"))))
                .contains("/spec/triggers/0/authRef: unknown field");
        assertThat(scaledObjectAfter(s -> ((ObjectNode) s.path("metadata")).putObject("label").put("a", "b")))
                .contains("/metadata/label: unknown field");
        assertThat(triggerAuthenticationAfter(t -> ((ObjectNode) t.path("spec").path("secretTargetRef").get(0))
                .set("paramter", ((ObjectNode) t.path("spec").path("secretTargetRef").get(0)).remove("parameter"))))
                .contains("/spec/secretTargetRef/0/paramter: unknown field");
    }

    @Test
    void rejectsWrongTypes() throws Exception {
        assertThat(scaledObjectAfter(s -> spec(s).put("maxReplicaCount", "3")))
                .contains("/spec/maxReplicaCount: must be of type integer");
        // the kafka scaler's settings are a map of strings: an unquoted number is refused by the cluster too
        assertThat(scaledObjectAfter(s -> ((ObjectNode) trigger(s).path("metadata")).put("lagThreshold", 20)))
                .contains("/spec/triggers/0/metadata/lagThreshold: must be of type string");
        assertThat(scaledObjectAfter(s -> spec(s).set("triggers", trigger(s))))
                .contains("/spec/triggers: must be of type array");
        assertThat(scaledObjectAfter(s -> ((ObjectNode) s.path("metadata")).putObject("labels").put("moe-stream/layer", 0)))
                .contains("/metadata/labels/moe-stream~1layer: must be of type string");
        assertThat(triggerAuthenticationAfter(t -> spec(t).set("secretTargetRef", t.path("spec").path("secretTargetRef").get(0))))
                .contains("/spec/secretTargetRef: must be of type array");
    }

    @Test
    void rejectsMissingRequiredFields() throws Exception {
        assertThat(scaledObjectAfter(s -> spec(s).remove("scaleTargetRef")))
                .contains("/spec: missing required field scaleTargetRef");
        assertThat(scaledObjectAfter(s -> trigger(s).remove("type")))
                .contains("/spec/triggers/0: missing required field type");
        assertThat(scaledObjectAfter(s -> ((ObjectNode) s.path("spec").path("scaleTargetRef")).remove("name")))
                .contains("/spec/scaleTargetRef: missing required field name");
        assertThat(triggerAuthenticationAfter(t -> ((ObjectNode) t.path("spec").path("secretTargetRef").get(0)).remove("key")))
                .contains("/spec/secretTargetRef/0: missing required field key");
    }

    @Test
    void rejectsAnotherKindOrVersion() throws Exception {
        assertThat(scaledObjectAfter(s -> s.put("apiVersion", "keda.sh/v1"))).contains("no KEDA schema for keda.sh/v1/ScaledObject");
    }
}
