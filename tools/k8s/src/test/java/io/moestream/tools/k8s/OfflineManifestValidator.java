package io.moestream.tools.k8s;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks Kubernetes manifests offline, without a cluster, against the API models that ship as Java libraries:
 * <ul>
 *   <li>core kinds: the official Kubernetes Java client's generated {@code validateJsonElement} (unknown fields,
 *       required fields, objects/arrays/scalars in the right places), then fabric8's typed model read strictly
 *       (scalar types: a string where an integer belongs fails);</li>
 *   <li>Strimzi kinds: Strimzi's own API model ({@code io.strimzi:api}); Prometheus Operator kinds: fabric8's
 *       {@code openshift-model-monitoring}. Both read strictly: unknown fields and wrong types fail; these models
 *       do not say which fields are required, so missing required fields of custom resources are not caught.</li>
 * </ul>
 * The strict reading turns off the models' "keep unknown properties" any-setters and all scalar coercion.
 * KEDA publishes no Java model or schema artifact: its kinds ({@link KedaSchema#KINDS}) are checked by
 * {@link KedaSchema}, with KEDA's JSON schema in Node.js, and are "no offline model" here.
 */
final class OfflineManifestValidator {
    /** A core kind: the Kubernetes client's model class (required and unknown fields) and fabric8's (types). */
    private record CoreKind(Class<?> openApiModel, Class<?> typedModel) {
    }

    private static final Map<String, CoreKind> CORE = Map.of(
            "apps/v1/Deployment", new CoreKind(V1Deployment.class, io.fabric8.kubernetes.api.model.apps.Deployment.class),
            "v1/Service", new CoreKind(V1Service.class, io.fabric8.kubernetes.api.model.Service.class),
            "v1/ConfigMap", new CoreKind(V1ConfigMap.class, io.fabric8.kubernetes.api.model.ConfigMap.class),
            "v1/PersistentVolumeClaim", new CoreKind(V1PersistentVolumeClaim.class,
                    io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class),
            "networking.k8s.io/v1/NetworkPolicy", new CoreKind(V1NetworkPolicy.class,
                    io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            "policy/v1/PodDisruptionBudget", new CoreKind(V1PodDisruptionBudget.class,
                    io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            "autoscaling/v2/HorizontalPodAutoscaler", new CoreKind(V2HorizontalPodAutoscaler.class,
                    io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class));

    private static final Map<String, Class<?>> CUSTOM = Map.of(
            "kafka.strimzi.io/v1beta2/Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class,
            "kafka.strimzi.io/v1beta2/KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class,
            "kafka.strimzi.io/v1beta2/KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class,
            "kafka.strimzi.io/v1beta2/KafkaUser", io.strimzi.api.kafka.model.user.KafkaUser.class,
            "monitoring.coreos.com/v1/ServiceMonitor", io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class,
            "monitoring.coreos.com/v1/PodMonitor", io.fabric8.openshift.api.model.monitoring.v1.PodMonitor.class,
            "monitoring.coreos.com/v1/PrometheusRule", io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class);

    private static final ObjectMapper STRICT = strictMapper();

    private OfflineManifestValidator() {
    }

    /** "apiVersion/kind" of a document, e.g. {@code apps/v1/Deployment}. */
    static String typeOf(ObjectNode document) {
        return document.path("apiVersion").asText("?") + "/" + document.path("kind").asText("?");
    }

    /** The problem with a document, or empty when it passes; a kind without a model is a problem, too. */
    static Optional<String> problem(ObjectNode document) {
        String type = typeOf(document);
        try {
            CoreKind core = CORE.get(type);
            if (core != null) {
                validateOpenApi(core.openApiModel(), document);
                return understood(document, core.typedModel());
            }
            Class<?> custom = CUSTOM.get(type);
            if (custom != null) {
                return understood(document, custom);
            }
            return Optional.of("no offline model for " + type);
        } catch (JsonMappingException e) {
            return Optional.of(type + " at " + e.getPathReference() + ": " + e.getOriginalMessage());
        } catch (IllegalArgumentException | java.io.IOException e) {
            return Optional.of(type + ": " + e.getMessage());
        }
    }

    /**
     * Reads the document into the typed model strictly, writes it back, and asks that every value written survived:
     * a value the model reads as null (an enum that does not exist, say) is lost on the way and reported.
     */
    private static Optional<String> understood(ObjectNode document, Class<?> model) throws JsonMappingException,
            com.fasterxml.jackson.core.JsonProcessingException {
        JsonNode read = STRICT.valueToTree(STRICT.treeToValue(document, model));
        ObjectNode written = document.deepCopy();
        written.remove("apiVersion"); // Strimzi's model writes its newest version (v1) for every version it reads
        return lost(written, read, "").map(path -> typeOf(document) + " at " + path + ": the value "
                + document.at(path) + " is not understood by the model (read back as " + read.at(path) + ")");
    }

    private static Optional<String> lost(JsonNode written, JsonNode read, String path) {
        if (written.isObject()) {
            for (Map.Entry<String, JsonNode> field : written.properties()) {
                Optional<String> lost = lost(field.getValue(), read.path(field.getKey()),
                        path + "/" + field.getKey().replace("~", "~0").replace("/", "~1"));
                if (lost.isPresent()) {
                    return lost;
                }
            }
            return Optional.empty();
        }
        if (written.isArray()) {
            for (int i = 0; i < written.size(); i++) {
                Optional<String> lost = lost(written.get(i), read.path(i), path + "/" + i);
                if (lost.isPresent()) {
                    return lost;
                }
            }
            return Optional.empty();
        }
        boolean same = written.isNumber() && read.isNumber()
                ? written.decimalValue().compareTo(read.decimalValue()) == 0
                : written.asText().equals(read.asText()) && !read.isMissingNode() && !read.isNull();
        return same ? Optional.empty() : Optional.of(path.isEmpty() ? "/" : path);
    }

    private static void validateOpenApi(Class<?> model, ObjectNode document) throws java.io.IOException {
        try {
            model.getMethod("validateJsonElement", com.google.gson.JsonElement.class)
                    .invoke(null, JsonParser.parseString(document.toString()));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw invalid;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Kubernetes client model " + model + " has no validateJsonElement", e);
        }
    }

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .annotationIntrospector(new RejectUnknownProperties())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return mapper;
    }

    /**
     * The models keep unknown fields in an any-setter map, or ignore them: both off, so unknown fields fail. They also
     * leave out default values when written; written here always, so the round trip can compare every value.
     */
    private static final class RejectUnknownProperties extends JacksonAnnotationIntrospector {
        @Override
        public JsonInclude.Value findPropertyInclusion(Annotated annotated) {
            return JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS);
        }

        @Override
        public Boolean hasAnySetter(Annotated annotated) {
            return Boolean.FALSE;
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(com.fasterxml.jackson.databind.cfg.MapperConfig<?> config,
                                                                    Annotated annotated) {
            return JsonIgnoreProperties.Value.empty();
        }
    }
}
