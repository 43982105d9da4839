package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.placement.PlanSource;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.PrometheusScrape;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.stack.ChildProcess;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Kubernetes manifests rely on, shown without Kubernetes: the two replicas of one expert group (a placement
 * plan with replicas 2) join the group's consumer group on a real broker and share its topics' partitions; killing one
 * (SIGKILL) mid-stream leaves the other to take over its partitions and finish every chunk, and the outputs still
 * equal the reference layer.
 */
class ExpertScaleOutIT {
    static final int EXPERTS = 4;
    static final int PARTITIONS = 2;
    static final int D_MODEL = 32;
    static final int TOKENS = 6000;
    static final int CHUNK_ROWS = 20;
    static final Duration GROUP_WAIT = Duration.ofSeconds(90);
    /** Each replica runs two consumers (moe.expert.consumers), each holding a share of the group's partitions. */
    static final int CONSUMERS_PER_REPLICA = 2;

    @TempDir
    Path modelDir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void survivingReplicaFinishesEveryChunk() throws Exception {
        // given a model, a real broker, and a plan of one group of every expert with two replicas and two partitions
        // per topic, with a short session timeout so the group notices the killed member within the chunk deadline
        ModelGenerator.generate(modelDir, new ModelSpec(1, EXPERTS, 2, D_MODEL, 48, 21));
        Path plan = modelDir.resolve("placement.json");
        Files.writeString(plan, "{\"groups\": [{\"name\": \"0\", \"experts\": \"0:0-" + (EXPERTS - 1)
                + "\", \"replicas\": 2, \"partitions\": " + PARTITIONS + "}]}");
        Topics topics = Topics.DEFAULT;
        List<String> requests = List.of(requestOnPartition(0), requestOnPartition(1));
        List<Matrix> inputs = List.of(Matrix.gaussian(TOKENS, D_MODEL, 3), Matrix.gaussian(TOKENS, D_MODEL, 4));
        ExecutorService clients = Executors.newFixedThreadPool(requests.size());
        try (TestKafkaCluster kafka = TestKafkaCluster.start();
             LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                     .withBootstrap(kafka.bootstrapServers())
                     .withPlacement(PlanSource.packed().withFile(plan))
                     .withExtraProperties(Map.of(
                             "expert-service:kafka.session.timeout.ms", "6000",
                             "expert-service:kafka.heartbeat.interval.ms", "1000")), System.out::println);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            try {
                String group = topics.expertGroup("0");
                assertThat(awaitMembers(admin, group, 2 * CONSUMERS_PER_REPLICA))
                        .as("the consumers of both replicas share the group's %d partitions", EXPERTS * PARTITIONS)
                        .allSatisfy(member -> assertThat(member.assignment().topicPartitions())
                                .hasSize(EXPERTS * PARTITIONS / (2 * CONSUMERS_PER_REPLICA)));
                ChildProcess second = stack.process("expert-0-r1");

                // when both requests stream (one per partition) and one expert process is killed mid-stream
                List<CompletableFuture<Matrix>> outputs = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    String request = requests.get(i);
                    Matrix x = inputs.get(i);
                    outputs.add(CompletableFuture.supplyAsync(() -> infer(stack.gatewayAddress(), request, x), clients));
                }
                try {
                    await("expert-0-r1 serves the streams").atMost(GROUP_WAIT).pollInterval(Duration.ofMillis(100))
                            .until(() -> tokens(stack, "expert-0-r1") > 0);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("expert-0-r1 computed no token within " + GROUP_WAIT + ": "
                            + pipelineState(stack, admin, group, outputs), e);
                }
                assertThat(outputs).as("streams still running when the expert is killed").noneMatch(CompletableFuture::isDone);
                second.kill();
                System.out.println("killed expert-0-r1 (pid " + second.pid() + ") mid-stream");

                // then every chunk of both streams is answered once, equal to the reference layer (infer fails on a
                // chunk answered twice, missing or out of order)
                try (MoeModel model = MoeModel.open(modelDir); ReferenceMoeLayer reference = new ReferenceMoeLayer(model, 0)) {
                    for (int i = 0; i < requests.size(); i++) {
                        Matrix y = outputs.get(i).get(4, TimeUnit.MINUTES);
                        ErrorStats error = ErrorStats.compare(y, reference.forward(inputs.get(i)));
                        System.out.println(requests.get(i) + " vs reference after the kill: " + error);
                        assertThat(error.maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
                    }
                }
                // and the survivor's consumers now hold every partition of the group
                assertThat(awaitMembers(admin, group, CONSUMERS_PER_REPLICA)).isNotEmpty();
            } finally {
                clients.shutdownNow();
                stack.copyLogsTo(PipelineFixtures.logDir("ExpertScaleOutIT"));
            }
        }
    }

    private static Matrix infer(String gateway, String request, Matrix x) {
        try (GatewayClient client = new GatewayClient(gateway)) {
            return client.infer(request, 0, x, CHUNK_ROWS, Duration.ofMinutes(4));
        } catch (Exception e) {
            throw new IllegalStateException(request + " failed", e);
        }
    }

    private static double tokens(LocalStack stack, String replica) throws Exception {
        return PrometheusScrape.of(stack.httpAddress(replica)).sum("moe_expert_tokens_total", Map.of());
    }

    /** What a stalled run needs to be understood: each replica's tokens, the group's members, the streams. */
    private static String pipelineState(LocalStack stack, Admin admin, String group,
                                        List<CompletableFuture<Matrix>> outputs) {
        StringBuilder state = new StringBuilder();
        try {
            state.append("tokens expert-0-r0 ").append(tokens(stack, "expert-0-r0"))
                    .append(", expert-0-r1 ").append(tokens(stack, "expert-0-r1"));
            for (MemberDescription member : admin.describeConsumerGroups(List.of(group)).all().get().get(group).members()) {
                state.append("; member ").append(member.clientId()).append(" holds ")
                        .append(member.assignment().topicPartitions());
            }
        } catch (Exception e) {
            state.append("; (could not read more: ").append(e).append(')');
        }
        return state.append("; streams done: ").append(outputs.stream().map(CompletableFuture::isDone).toList()).toString();
    }

    /** A request id whose tasks land on {@code partition} (the producer's default partitioner on the key). */
    private static String requestOnPartition(int partition) {
        for (int i = 0; ; i++) {
            String id = "scale-out-" + i;
            if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS == partition) {
                return id;
            }
        }
    }

    /** The members of a group once it is stable with {@code count} members that hold every partition. */
    private static List<MemberDescription> awaitMembers(Admin admin, String group, int count) {
        return await(group + " settles on " + count + " member(s) holding " + EXPERTS * PARTITIONS + " partitions")
                .atMost(GROUP_WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> List.copyOf(admin.describeConsumerGroups(List.of(group)).all().get().get(group).members()),
                        members -> members.size() == count && members.stream()
                                .mapToInt(m -> m.assignment().topicPartitions().size()).sum() == EXPERTS * PARTITIONS);
    }
}
