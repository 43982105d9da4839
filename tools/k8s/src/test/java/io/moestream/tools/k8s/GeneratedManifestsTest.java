package io.moestream.tools.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.moestream.core.model.ModelFamily;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.TempModel;
import io.moestream.tools.cli.K8sCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code moe k8s} for a small Qwen2-MoE model (2 layers, 4 routed experts + the shared one) and a placement plan of three
 * expert groups writes manifests that pass the offline schema models, and carry the topics, groups, partitions and
 * ACLs the services use: one Deployment per group, not per expert.
 */
class GeneratedManifestsTest {
    static final int LAYERS = 2;
    static final int SERVED_EXPERTS = 5;
    /** Layer 0 whole; layer 1's routed experts; layer 1's shared expert alone, hot, with more replicas and partitions. */
    static final String PLAN = """
            {"groups": [
              {"name": "layer0", "experts": "0:0-4", "replicas": 3, "partitions": 3},
              {"name": "layer1", "experts": "1:0-3", "replicas": 2},
              {"name": "hot-1-4", "experts": "1:4", "replicas": 6, "partitions": 6}]}
            """;
    static final Map<String, Integer> GROUP_REPLICAS = Map.of("layer0", 3, "layer1", 2, "hot-1-4", 6);

    @TempDir
    static Path out;
    static Map<String, List<ObjectNode>> files;

    @BeforeAll
    static void generate() throws IOException {
        try (TempModel model = TempModel.generate(new ModelSpec(ModelFamily.QWEN2_MOE, LAYERS, 4, 2, 16, 24, true, 5))) {
            Path plan = Files.writeString(model.dir().resolve("placement.json"), PLAN);
            int exit = new CommandLine(new K8sCommand()).execute("--model", model.dir().toString(),
                    "--namespace", "moe-test", "--placement", plan.toString(), "--out", out.toString());
            assertThat(exit).isZero();
        }
        files = readAll(out);
    }

    @Test
    void everyDocumentPassesTheOfflineModels() {
        // given every document of every written file, as kubectl would read it
        List<String> problems = new ArrayList<>();
        Map<String, Integer> checkedKinds = new TreeMap<>();
        for (Map.Entry<String, List<ObjectNode>> file : files.entrySet()) {
            for (ObjectNode document : file.getValue()) {
                String type = OfflineManifestValidator.typeOf(document);
                if (type.startsWith("kustomize.config.k8s.io/") || KedaSchema.KINDS.contains(type)) {
                    continue; // KEDA's kinds: kedaObjectsPassKedasSchema
                }
                // when it is validated
                OfflineManifestValidator.problem(document).ifPresent(p -> problems.add(file.getKey() + ": " + p));
                checkedKinds.merge(type, 1, Integer::sum);
            }
        }
        System.out.println("validated offline: " + checkedKinds);

        // then none has a problem, and every kind the base uses was checked
        assertThat(problems).isEmpty();
        assertThat(checkedKinds).containsKeys("apps/v1/Deployment", "v1/Service", "v1/ConfigMap",
                "v1/PersistentVolumeClaim", "networking.k8s.io/v1/NetworkPolicy", "policy/v1/PodDisruptionBudget",
                "autoscaling/v2/HorizontalPodAutoscaler", "kafka.strimzi.io/v1beta2/Kafka",
                "kafka.strimzi.io/v1beta2/KafkaNodePool", "kafka.strimzi.io/v1beta2/KafkaTopic",
                "kafka.strimzi.io/v1beta2/KafkaUser", "monitoring.coreos.com/v1/ServiceMonitor",
                "monitoring.coreos.com/v1/PodMonitor", "monitoring.coreos.com/v1/PrometheusRule");
        assertThat(checkedKinds.get("apps/v1/Deployment")).isEqualTo(GROUP_REPLICAS.size() + 2);
    }

    @Test
    void expertTopicsHaveTheirGroupsPartitionsAndEachGroupOneScaledObject() {
        Topics topics = Topics.DEFAULT;
        Map<String, JsonNode> topicSpecs = of("base/topics.yaml", "KafkaTopic").stream()
                .collect(Collectors.toMap(t -> t.path("spec").path("topicName").asText(), t -> t.path("spec")));
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int e = 0; e < SERVED_EXPERTS; e++) {
                String topic = topics.expert(layer, e);
                int partitions = layer == 0 ? 3 : e == SERVED_EXPERTS - 1 ? 6 : 1;
                assertThat(topicSpecs.get(topic).path("partitions").asInt()).as(topic).isEqualTo(partitions);
                assertThat(topicSpecs.get(topic).path("replicas").asInt()).isEqualTo(3);
                assertThat(topicSpecs.get(topic).path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
            }
        }
        assertThat(topicSpecs).containsKeys(topics.tokens(), topics.deadLetters(), topics.expertLoad(), topics.alerts())
                .hasSize(LAYERS * SERVED_EXPERTS + 4);
        Map<String, JsonNode> scaled = of("base/experts.yaml", "ScaledObject").stream().collect(Collectors.toMap(
                s -> s.path("spec").path("triggers").get(0).path("metadata").path("consumerGroup").asText(), s -> s.path("spec")));
        assertThat(scaled).hasSize(GROUP_REPLICAS.size());
        GROUP_REPLICAS.forEach((group, replicas) ->
                assertThat(scaled.get(topics.expertGroup(group)).path("maxReplicaCount").asInt()).as(group).isEqualTo(replicas));
        ObjectNode deployment = of("base/experts.yaml", "Deployment").stream()
                .filter(d -> d.path("metadata").path("name").asText().equals("moe-expert-layer1")).findFirst().orElseThrow();
        assertThat(deployment.path("spec").path("template").path("spec").path("containers").get(0).path("env").toString())
                .contains("\"MOE_EXPERT_GROUP\",\"value\":\"layer1\"", "\"MOE_EXPERT_EXPERTS\",\"value\":\"1:0-3\"");
    }

    @Test
    void eachGroupReadsOnlyItsOwnTopicsAndGroup() {
        Topics topics = Topics.DEFAULT;
        assertThat(reads("moe-expert-layer0")).containsExactlyInAnyOrder("topic:moe.L0.:prefix",
                "group:" + topics.expertGroup("layer0") + ":literal");
        assertThat(reads("moe-expert-layer1")).containsExactlyInAnyOrder("topic:moe.L1.e0:literal", "topic:moe.L1.e1:literal",
                "topic:moe.L1.e2:literal", "topic:moe.L1.e3:literal", "group:" + topics.expertGroup("layer1") + ":literal");
        assertThat(reads("moe-expert-hot-1-4")).containsExactlyInAnyOrder("topic:moe.L1.e4:literal",
                "group:" + topics.expertGroup("hot-1-4") + ":literal");
    }

    /** The resources a group's KafkaUser may read, as type:name:patternType. */
    private static List<String> reads(String userName) {
        ObjectNode user = of("base/users.yaml", "KafkaUser").stream()
                .filter(u -> u.path("metadata").path("name").asText().equals(userName)).findFirst().orElseThrow();
        List<String> reads = new ArrayList<>();
        user.path("spec").path("authorization").path("acls").forEach(acl -> {
            if (acl.path("operations").toString().contains("Read")) {
                reads.add(acl.path("resource").path("type").asText() + ":" + acl.path("resource").path("name").asText()
                        + ":" + acl.path("resource").path("patternType").asText());
            }
        });
        return reads;
    }

    @Test
    void kedaObjectsPassKedasSchema() throws Exception {
        // given every KEDA object of the base
        List<ObjectNode> keda = files.values().stream().flatMap(List::stream)
                .filter(d -> KedaSchema.KINDS.contains(OfflineManifestValidator.typeOf(d))).toList();
        KedaSchema.install();

        // when KEDA's schema checks them
        KedaSchema.Results results = KedaSchema.validate(keda);
        System.out.println("validated offline with " + results.schema() + ": " + keda.stream()
                .collect(Collectors.groupingBy(OfflineManifestValidator::typeOf, TreeMap::new, Collectors.counting())));

        // then none has a problem, and they are one ScaledObject per expert group Deployment and their TriggerAuthentication
        assertThat(results.problems()).allSatisfy(p -> assertThat(p).isEmpty());
        assertThat(keda).filteredOn(d -> d.path("kind").asText().equals("ScaledObject")).hasSize(GROUP_REPLICAS.size());
        assertThat(keda).filteredOn(d -> d.path("kind").asText().equals("TriggerAuthentication")).hasSize(1);
    }

    @Test
    void gatewayServesGrpcOnMutualTlsAndEveryServiceUsesSaslSsl() {
        ObjectNode clients = of("base/config.yaml", "ConfigMap").stream()
                .filter(c -> c.path("metadata").path("name").asText().equals("moe-clients")).findFirst().orElseThrow();
        String gateway = clients.path("data").path("gateway.properties").asText();
        assertThat(gateway).contains("quarkus.grpc.server.plain-text=false", "quarkus.grpc.server.ssl.client-auth=REQUIRED",
                "moe.gateway.tls-configuration-name=grpc", "quarkus.tls.grpc.trust-store.pem.certs=/etc/moe/grpc-tls/ca.crt");
        clients.path("data").fields().forEachRemaining(file ->
                assertThat(file.getValue().asText()).as(file.getKey()).contains("security.protocol=SASL_SSL"));
        ObjectNode pod = (ObjectNode) of("base/gateway.yaml", "Deployment").get(0).path("spec").path("template").path("spec");
        assertThat(pod.path("volumes").findValuesAsText("secretName")).contains("moe-gateway-tls");
        assertThat(pod.path("containers").get(0).path("volumeMounts").findValuesAsText("subPath"))
                .containsExactly("gateway.properties");
        assertThat(of("base/kafka.yaml", "Kafka").get(0).path("spec").path("kafka").path("listeners").get(0)
                .path("tls").asBoolean()).isTrue();
    }

    /**
     * The overlays as kustomize renders them pass the same models, and the gpu one asks for a GPU per expert pod. Needs
     * {@code kubectl} (its built-in kustomize), so it is skipped where there is none, such as CI.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void overlaysRenderedByKustomizePassTheOfflineModels(String overlay) throws Exception {
        List<ObjectNode> documents = renderedOverlay(overlay);
        List<String> problems = new ArrayList<>();
        for (ObjectNode document : documents) {
            if (!KedaSchema.KINDS.contains(OfflineManifestValidator.typeOf(document))) {
                OfflineManifestValidator.problem(document).ifPresent(problems::add);
            }
        }
        assertThat(problems).isEmpty();
        assertThat(documents).allSatisfy(d -> assertThat(d.path("metadata").path("namespace").asText()).isEqualTo("moe-test"));
        List<ObjectNode> expertPods = documents.stream().filter(d -> d.path("kind").asText().equals("Deployment")
                && d.path("metadata").path("labels").path("app.kubernetes.io/component").asText().equals("expert")).toList();
        assertThat(expertPods).hasSize(GROUP_REPLICAS.size()).allSatisfy(d -> {
            JsonNode pod = d.path("spec").path("template").path("spec");
            String gpus = pod.path("containers").get(0).path("resources").path("limits").path("nvidia.com/gpu").asText();
            assertThat(gpus).isEqualTo(overlay.equals("gpu") ? "1" : "");
        });
    }

    /** The overlays' KEDA objects as kustomize renders them pass KEDA's schema. Needs {@code kubectl} and Node.js. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void overlaysKedaObjectsPassKedasSchema(String overlay) throws Exception {
        List<ObjectNode> keda = renderedOverlay(overlay).stream()
                .filter(d -> KedaSchema.KINDS.contains(OfflineManifestValidator.typeOf(d))).toList();
        KedaSchema.install();
        assertThat(KedaSchema.validate(keda).problems()).allSatisfy(p -> assertThat(p).isEmpty());
        assertThat(keda).hasSize(GROUP_REPLICAS.size() + 1)
                .allSatisfy(d -> assertThat(d.path("metadata").path("namespace").asText()).isEqualTo("moe-test"));
    }

    /** An overlay as {@code kubectl kustomize} renders it; skips the test where there is no kubectl. */
    private static List<ObjectNode> renderedOverlay(String overlay) throws Exception {
        Assumptions.assumeTrue(kubectlAvailable(), "kubectl is not installed");
        Process kustomize = new ProcessBuilder("kubectl", "kustomize", out.resolve("overlays").resolve(overlay).toString())
                .redirectErrorStream(true).start();
        String rendered = new String(kustomize.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kustomize.waitFor()).as(rendered).isZero();
        List<ObjectNode> documents = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        yaml.readValues(yaml.createParser(rendered), ObjectNode.class).forEachRemaining(documents::add);
        return documents;
    }

    private static boolean kubectlAvailable() {
        try {
            return new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static List<ObjectNode> of(String file, String kind) {
        return files.get(file).stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    static Map<String, List<ObjectNode>> readAll(Path dir) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        Map<String, List<ObjectNode>> all = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                List<ObjectNode> documents = new ArrayList<>();
                yaml.readValues(yaml.createParser(path.toFile()), ObjectNode.class).forEachRemaining(documents::add);
                all.put(dir.relativize(path).toString(), documents);
            }
        }
        return all;
    }
}
