package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.placement.PlanFile;
import io.moestream.core.placement.PlanSource;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.ExpertGroupOffsets;
import io.moestream.core.topics.Topics;
import io.moestream.testsupport.PrometheusScrape;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A placement plan rolled out while a stream flows: a group split, experts moved to a new group, and their topics given
 * more partitions. Nothing is lost (every chunk answered once, equal to the reference layer), and the moved experts'
 * new group continues from where their old group had committed: it answers none of the tasks of an earlier stream.
 */
class PlacementIT {
    static final int EXPERTS = 8;
    static final int D_MODEL = 32;
    static final int CHUNK_ROWS = 20;
    static final Duration WAIT = Duration.ofMinutes(3);
    /** Two groups: a holds experts 0-1, b holds 2-7. */
    static final String BEFORE = """
            {"groups": [{"name": "a", "experts": "0:0-1"}, {"name": "b", "experts": "0:2-7"}]}""";
    /** a kept; b split: it keeps 2-3, and 4-7 move to the new group c, with two partitions per topic. */
    static final String AFTER = """
            {"groups": [{"name": "a", "experts": "0:0-1"}, {"name": "b", "experts": "0:2-3"},
                        {"name": "c", "experts": "0:4-7", "partitions": 2}]}""";

    @TempDir
    Path modelDir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void movingExpertsBetweenGroupsMidStreamLosesNothingAndRedoesNothingOld() throws Exception {
        ModelGenerator.generate(modelDir, new ModelSpec(1, EXPERTS, 2, D_MODEL, 48, 31));
        Path before = Files.writeString(modelDir.resolve("before.json"), BEFORE);
        Path after = Files.writeString(modelDir.resolve("after.json"), AFTER);
        Topics topics = Topics.DEFAULT;
        try (TestKafkaCluster kafka = TestKafkaCluster.start();
             LocalStack stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                     .withBootstrap(kafka.bootstrapServers())
                     .withPlacement(PlanSource.packed().withFile(before)), System.out::println);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             MoeModel model = MoeModel.open(modelDir);
             ReferenceMoeLayer reference = new ReferenceMoeLayer(model, 0)) {
            try {
                // given a first stream answered in full by the groups of the first plan, and every task committed
                Matrix first = Matrix.gaussian(2000, D_MODEL, 1);
                try (StreamProbe stream = StreamProbe.start(stack.gatewayAddress(), "before", first, CHUNK_ROWS)) {
                    assertAllAnswered(stream.awaitEnd(WAIT), first, reference);
                }
                awaitEverythingCommitted(admin, topics);

                // when a second stream is under way, and keeps sending a chunk every 100 ms while the second plan is
                // rolled out (1000 chunks: room for a rollout of 98 s), then the rest at full speed
                Matrix second = Matrix.gaussian(20_000, D_MODEL, 2);
                try (StreamProbe stream = StreamProbe.startPaced(stack.gatewayAddress(), "during", second, CHUNK_ROWS)) {
                    stream.allow(20);
                    assertThat(stream.awaitResults(20, WAIT)).as("stream under way before the new plan").isTrue();
                    long rolloutStart = System.nanoTime();
                    CompletableFuture<Void> rollout = CompletableFuture.runAsync(() -> apply(stack, after));
                    while (!rollout.isDone()) {
                        stream.allow(1);
                        Thread.sleep(100);
                    }
                    rollout.get();
                    System.out.printf("rollout took %.1f s; %d of %d chunks sent by then%n",
                            (System.nanoTime() - rolloutStart) / 1e9, stream.sentCount(), stream.chunkCount());
                    assertThat(stream.sentCount()).as("chunks left to send once the new plan is in place")
                            .isLessThan(stream.chunkCount());
                    stream.allow(stream.chunkCount());

                    // then every chunk is answered once, equal to the reference layer
                    assertAllAnswered(stream.awaitEnd(WAIT), second, reference);
                }

                // and the new group c took over experts 4-7 where b had committed: it answered only second-stream tasks
                long[] secondRows = reference.forwardWithStats(second).tokensPerExpert();
                PrometheusScrape c = PrometheusScrape.of(stack.httpAddress("expert-c-v2"));
                double answeredByC = 0;
                for (int e = 4; e < EXPERTS; e++) {
                    double rows = c.sum("moe_expert_tokens_total", Map.of("layer", "0", "expert", Integer.toString(e)));
                    System.out.println("group c answered " + rows + " rows of expert " + e + "; the second stream routed "
                            + secondRows[e] + " to it");
                    assertThat(rows).as("rows of expert 0:%d answered by c", e).isLessThanOrEqualTo(secondRows[e]);
                    answeredByC += rows;
                }
                assertThat(answeredByC).as("c served its experts after the move").isPositive();
                // and c's topics have their two partitions, and b keeps offsets only of the experts it still serves
                assertThat(admin.describeTopics(List.of(topics.expert(0, 5))).allTopicNames().get()
                        .get(topics.expert(0, 5)).partitions()).hasSize(2);
                assertThat(admin.listConsumerGroupOffsets(topics.expertGroup("b")).partitionsToOffsetAndMetadata().get()
                        .keySet()).extracting(TopicPartition::topic)
                        .allSatisfy(topic -> assertThat(topic).isIn(topics.expert(0, 2), topics.expert(0, 3)));
                assertThat(stack.placement()).isEqualTo(PlanFile.read(after));
            } finally {
                stack.copyLogsTo(PipelineFixtures.logDir("PlacementIT"));
            }
        }
    }

    private static void apply(LocalStack stack, Path plan) {
        try {
            stack.applyPlacement(PlanFile.read(plan), line -> System.out.println("  " + line));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying " + plan, e);
        }
    }

    /** Every chunk answered once, in order, equal to the reference layer (computed chunk by chunk). */
    private static void assertAllAnswered(StreamProbe.Ending ending, Matrix x, ReferenceMoeLayer reference) {
        assertThat(ending.status().isOk()).as(ending.status().toString()).isTrue();
        Matrix y = StreamProbe.answeredRows(ending, D_MODEL);
        assertThat(y.rows()).as("rows answered").isEqualTo(x.rows());
        ErrorStats error = ErrorStats.compare(y, PipelineFixtures.referenceByChunks(reference, x, CHUNK_ROWS));
        System.out.println("stream vs reference: " + error);
        assertThat(error.maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
    }

    /** Until some expert group has committed every task written to every expert topic. */
    private static void awaitEverythingCommitted(Admin admin, Topics topics) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>(IntStream.range(0, EXPERTS)
                .mapToObj(e -> new TopicPartition(topics.expert(0, e), 0)).toList());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        await("every task committed").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<TopicPartition, Long> committed = ExpertGroupOffsets.furthest(admin, topics, partitions);
            var ends = admin.listOffsets(latest).all().get();
            return partitions.stream().allMatch(p -> committed.getOrDefault(p, 0L) >= ends.get(p).offset());
        });
    }
}
