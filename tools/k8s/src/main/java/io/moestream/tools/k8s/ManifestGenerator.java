package io.moestream.tools.k8s;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.topics.Topics;
import io.moestream.tools.stack.ServiceAcls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the manifests of a {@link DeploymentPlan}: a kustomize base (Kafka, topics, users, services, autoscalers,
 * policies, monitoring) and the {@code dev} and {@code gpu} overlays. Topic and group names come from {@link Topics}.
 */
public final class ManifestGenerator {
    static final String KAFKA_CLUSTER = "moe-kafka";
    static final int KAFKA_PORT = 9092;
    /** Lag (tasks, i.e. chunk parts) per replica that KEDA aims for, and the lag that wakes an expert from zero. */
    static final int LAG_THRESHOLD = 20;
    static final int ACTIVATION_LAG_THRESHOLD = 1;
    /** The base files, in the order kustomize lists them. */
    static final List<String> BASE_FILES = List.of("kafka.yaml", "topics.yaml", "users.yaml", "config.yaml",
            "gateway.yaml", "router.yaml", "experts.yaml", "network-policies.yaml", "monitoring.yaml");

    private final Topics topics = Topics.DEFAULT;
    private final DeploymentPlan plan;

    public ManifestGenerator(DeploymentPlan plan) {
        this.plan = plan;
    }

    /** Every file to write, by its path under the output directory. */
    public Map<String, List<ObjectNode>> files(boolean gpuByDefault) {
        Map<String, Object> common = commonValues();
        Map<String, List<ObjectNode>> files = new LinkedHashMap<>();
        files.put("base/kafka.yaml", ManifestTemplates.render("kafka.yaml", common));
        files.put("base/topics.yaml", topics(common));
        List<ObjectNode> users = serviceUsers(common);
        List<ObjectNode> experts = new ArrayList<>(ManifestTemplates.render("experts-common.yaml", common));
        List<DeploymentPlan.Group> groups = plan.groups();
        for (DeploymentPlan.Group group : groups) {
            Map<String, Object> values = groupValues(common, group);
            users.addAll(groupUser(values, group.group()));
            experts.addAll(ManifestTemplates.render("expert.yaml", values));
        }
        files.put("base/users.yaml", users);
        files.put("base/config.yaml", ManifestTemplates.render("config.yaml", common));
        files.put("base/gateway.yaml", ManifestTemplates.render("gateway.yaml", common));
        files.put("base/router.yaml", ManifestTemplates.render("router.yaml", common));
        files.put("base/experts.yaml", experts);
        files.put("base/network-policies.yaml", ManifestTemplates.render("network-policies.yaml", common));
        files.put("base/monitoring.yaml", ManifestTemplates.render("monitoring.yaml", common));
        files.put("base/kustomization.yaml", ManifestTemplates.render("kustomization-base.yaml", common));
        files.put("overlays/dev/kustomization.yaml", ManifestTemplates.render("overlay-dev.yaml", common));
        files.put("overlays/gpu/kustomization.yaml", gpuOverlay(common, groups));
        Map<String, Object> top = new HashMap<>(common);
        top.put("overlay", gpuByDefault ? "gpu" : "dev");
        files.put("kustomization.yaml", ManifestTemplates.render("kustomization-top.yaml", top));
        return files;
    }

    private Map<String, Object> commonValues() {
        Map<String, Object> values = monitoringValues(topics);
        values.put("namespace", plan.namespace());
        values.put("kafkaPort", KAFKA_PORT);
        values.put("kafkaStorage", "100Gi");
        values.put("bootstrapServers", KAFKA_CLUSTER + "-kafka-bootstrap:" + KAFKA_PORT);
        values.put("tokenTopic", topics.tokens());
        values.put("expertLoadTopic", topics.expertLoad());
        values.put("replyTopicPrefix", topics.replyTopicPrefix());
        values.put("expertTopicPrefix", topics.expertTopicPrefix());
        values.put("routerGroup", topics.routerGroup());
        values.put("tokenPartitions", plan.routerMaxReplicas());
        values.put("modelDir", "/models");
        values.put("servedLayers", plan.layers().stream().map(String::valueOf).collect(Collectors.joining(",")));
        values.put("modelStorage", "100Gi");
        values.put("imageTag", plan.imageTag());
        values.put("computeDtype", plan.computeDtype());
        values.put("activationLagThreshold", ACTIVATION_LAG_THRESHOLD);
        values.put("monitoringNamespace", "monitoring");
        return values;
    }

    /** What {@code monitoring.yaml} needs: the names its selectors and rules use, and the alerts' thresholds. */
    static Map<String, Object> monitoringValues(Topics topics) {
        Map<String, Object> values = new HashMap<>();
        values.put("kafkaCluster", KAFKA_CLUSTER);
        values.put("deadLetterTopic", topics.deadLetters());
        values.put("alertsTopic", topics.alerts());
        values.put("expertGroupPrefix", topics.expertGroupPrefix());
        values.put("lagThreshold", LAG_THRESHOLD);
        values.put("gatewayLatencySeconds", 2);
        // the router's defaults: balancedness under 0.5 for 3 windows of 10 s
        values.put("balancednessThreshold", 0.5);
        values.put("imbalanceFor", "30s");
        return values;
    }

    private List<ObjectNode> topics(Map<String, Object> common) {
        List<ObjectNode> documents = new ArrayList<>();
        documents.addAll(topic(common, topics.tokens(), plan.routerMaxReplicas()));
        documents.addAll(topic(common, topics.deadLetters(), 1));
        documents.addAll(topic(common, topics.expertLoad(), 1));
        documents.addAll(topic(common, topics.alerts(), 1));
        for (ExpertGroup group : plan.placement().groups()) {
            for (ExpertId id : group.experts()) {
                documents.addAll(topic(common, topics.expert(id.layer(), id.expert()), group.partitions()));
            }
        }
        return documents;
    }

    private static List<ObjectNode> topic(Map<String, Object> common, String name, int partitions) {
        Map<String, Object> values = new HashMap<>(common);
        values.put("topicName", name);
        values.put("resourceName", resourceName(name));
        values.put("partitions", partitions);
        return ManifestTemplates.render("topic.yaml", values);
    }

    private Map<String, Object> groupValues(Map<String, Object> common, DeploymentPlan.Group sized) {
        Map<String, Object> values = new HashMap<>(common);
        ExpertGroup group = sized.group();
        String consumerGroup = topics.expertGroup(group.name());
        values.put("groupName", group.name());
        values.put("experts", group.expertSpec());
        values.put("expertCount", group.experts().size());
        values.put("expertName", resourceName(consumerGroup));
        values.put("expertGroup", consumerGroup);
        values.put("minReplicas", plan.minReplicas());
        values.put("maxReplicas", group.replicas());
        values.put("cpu", plan.expertCpu());
        values.put("memory", sized.memoryMib() + "Mi");
        values.put("gpus", sized.gpus());
        return values;
    }

    /** The template's KafkaUsers; the gateway's and the router's with their services' ACLs ({@link ServiceAcls}). */
    private List<ObjectNode> serviceUsers(Map<String, Object> common) {
        List<ObjectNode> users = new ArrayList<>(ManifestTemplates.render("users.yaml", common));
        for (ObjectNode user : users) {
            String name = user.path("metadata").path("name").asText();
            switch (name) {
                case ServiceAcls.GATEWAY_PRINCIPAL -> StrimziAcls.grant(user, ServiceAcls.gateway(name, topics));
                case ServiceAcls.ROUTER_PRINCIPAL -> StrimziAcls.grant(user, ServiceAcls.router(name, topics));
                default -> {
                    // KEDA's user has no local-stack twin: the template holds its ACLs
                }
            }
        }
        return users;
    }

    /**
     * The group's KafkaUser with an expert process's ACLs ({@link ServiceAcls#expert}): its consumer group, the other
     * groups' offsets, replies, dead letters, and one Read/Describe ACL per topic pattern of its experts.
     */
    private List<ObjectNode> groupUser(Map<String, Object> values, ExpertGroup group) {
        List<ObjectNode> user = ManifestTemplates.render("expert-user.yaml", values);
        StrimziAcls.grant(user.get(0), ServiceAcls.expert(user.get(0).path("metadata").path("name").asText(), topics,
                group, plan.config().servedExperts()));
        return user;
    }

    /** The gpu overlay: each expert Deployment asks for the GPUs its group's weights need (label moe-stream/gpus). */
    private static List<ObjectNode> gpuOverlay(Map<String, Object> common, List<DeploymentPlan.Group> groups) {
        List<ObjectNode> overlay = ManifestTemplates.render("overlay-gpu.yaml", common);
        ArrayNode patches = (ArrayNode) overlay.get(0).path("patches");
        ObjectNode template = (ObjectNode) patches.remove(0);
        groups.stream().map(DeploymentPlan.Group::gpus).distinct().sorted().forEach(gpus -> {
            ObjectNode patch = template.deepCopy();
            ((ObjectNode) patch.path("target")).put("labelSelector",
                    "app.kubernetes.io/component=expert,moe-stream/gpus=" + gpus);
            patch.put("patch", patch.path("patch").asText().replace("value: \"1\"", "value: \"" + gpus + "\""));
            patches.add(patch);
        });
        return overlay;
    }

    /** A Kubernetes object name for a topic or group name: lower case, other characters than [a-z0-9.-] as '-'. */
    static String resourceName(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    }
}
