package io.moestream.tools.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.StreamRequestIds;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.testsupport.TopicRecords;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.client.StreamOutcome;
import io.moestream.tools.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The contracts of the path on one running stack (real broker in this JVM, services as processes): order
 * across many concurrent streams, half-precision inputs, bad input after good input, and duplicated
 * routing (a second router) that the gateway must not count twice. The stack is {@link PipelineIT}'s shared one
 * (eight experts, two expert processes) ({@link SharedStacks}): the request ids are this class's own, and the second router is stopped again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(SharedStacks.class)
class PipelineContractIT {
    static final SharedStacks.Key STACK = PipelineIT.SHARED;
    static final int EXPERTS = STACK.spec().experts();
    static final int D_MODEL = STACK.spec().dModel();
    static final String DUPLICATE_ROUTER = "router-duplicate";

    static SharedStacks.Stack shared;
    static LocalStack stack;
    static GatewayClient client;
    static MoeModel model;
    static ReferenceMoeLayer reference;

    @BeforeAll
    static void startStack(SharedStacks stacks) throws Exception {
        shared = stacks.get(STACK);
        stack = shared.stack();
        client = shared.client();
        model = MoeModel.open(shared.modelDir());
        reference = new ReferenceMoeLayer(model, 0);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.copyLogsTo(PipelineFixtures.logDir("PipelineContractIT"));
        }
        for (AutoCloseable part : new AutoCloseable[] {reference, model}) {
            if (part != null) {
                part.close();
            }
        }
    }

    @Test
    @Order(1)
    void shouldAnswerConcurrentStreamsEachInOrder() throws Exception {
        // given 6 streams of 40 chunks of one to seven rows, sent at the same time
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Matrix> inputs = new ArrayList<>();
            List<Future<Matrix>> outputs = new ArrayList<>();
            for (int s = 0; s < 6; s++) {
                int chunkRows = 1 + s % 7;
                Matrix x = Matrix.gaussian(40 * chunkRows, D_MODEL, 100 + s);
                String requestId = "concurrent-" + s;
                inputs.add(x);
                // when each streams its tokens (infer fails if a result comes back out of order)
                outputs.add(clients.submit(() -> client.infer(requestId, 0, x, chunkRows, Duration.ofMinutes(2))));
            }
            // then every stream's output equals the reference (which is used from this thread only)
            for (int s = 0; s < 6; s++) {
                ErrorStats error = ErrorStats.compare(outputs.get(s).get(), reference.forward(inputs.get(s)));
                assertThat(error.maxRelError()).as("stream " + s).isLessThan(PipelineIT.MAX_REL_ERROR);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @ParameterizedTest
    @CsvSource({"FP16, 2e-3", "BF16, 1.6e-2"})
    @Order(2)
    void shouldAnswerHalfPrecisionChunksInTheirDtype(DType dtype, double tolerance) throws Exception {
        // given tokens sent as FP16 or BF16
        Matrix x = Matrix.gaussian(96, D_MODEL, 5);
        List<InferChunk> chunks = GatewayClient.chunk("half-" + dtype, 0, x, 32, dtype);

        // when they stream through
        StreamOutcome outcome = client.send(chunks, Duration.ofMinutes(1));

        // then each result has the chunk's dtype and matches the reference on the rounded inputs
        assertThat(outcome.ok()).as(outcome.status().toString()).isTrue();
        assertThat(outcome.results()).hasSize(3).allSatisfy(r -> assertThat(r.getOutput().getDtype()).isEqualTo(dtype));
        for (int i = 0; i < chunks.size(); i++) {
            Matrix sent = TensorMessages.fromProto(chunks.get(i).getHidden(), D_MODEL, 4096);
            Matrix got = TensorMessages.fromProto(outcome.results().get(i).getOutput(), D_MODEL, 4096);
            assertThat(ErrorStats.compare(got, reference.forward(sent)).maxRelError()).isLessThan(tolerance);
        }
    }

    @Test
    @Order(3)
    void shouldAnswerEarlierChunksThenRejectABadChunk() throws Exception {
        // given two good chunks followed by one whose d_model is wrong
        Matrix good = Matrix.gaussian(20, D_MODEL, 8);
        List<InferChunk> chunks = new ArrayList<>(GatewayClient.chunk("bad-after-good", 0, good, 10, DType.FP32));
        chunks.add(InferChunk.newBuilder()
                .setRequestId("bad-after-good").setSeq(2).setLayer(0)
                .setHidden(TensorMessages.toProto(Matrix.gaussian(3, D_MODEL + 1, 9), DType.FP32))
                .build());

        // when the stream is sent
        StreamOutcome outcome = client.send(chunks, Duration.ofMinutes(1));

        // then both good chunks are answered, and the stream ends with INVALID_ARGUMENT naming d_model
        assertThat(outcome.results()).extracting(InferResult::getSeq).containsExactly(0L, 1L);
        assertThat(outcome.status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(outcome.status().getDescription()).contains("d_model");
    }

    @Test
    @Order(4)
    void shouldIgnoreDuplicateRoutingAndResults() throws Exception {
        // given a second router with its own consumer group: every chunk is routed, and answered, twice
        stack.startService(DUPLICATE_ROUTER, "router-service",
                Map.of("quarkus.kafka-streams.application-id", "moe-router-duplicate"));
        try {
            // (it starts from the earliest offset: let it catch up so both routers route the chunks below)
            awaitCommitted("moe-router-duplicate", Topics.DEFAULT.tokens());
            Matrix x = Matrix.gaussian(150, D_MODEL, 12);

            // when tokens stream through
            Matrix y = client.infer("duplicated", 0, x, 30, Duration.ofMinutes(2));

            // then the output still equals the reference: each expert part was added once
            assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(PipelineIT.MAX_REL_ERROR);
            // and the duplicates really happened: each (chunk, expert) task of this request is on its topic twice
            Map<String, Integer> tasks = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> tasksPerChunkAndExpert("duplicated"), counts -> !counts.containsValue(1));
            assertThat(tasks.values()).isNotEmpty().allSatisfy(n -> assertThat(n).isEqualTo(2));
        } finally {
            // the stack is shared: leave it with one router, as it was
            stack.stopService(DUPLICATE_ROUTER);
        }
    }

    /** Waits until consumer group {@code group} has committed the end offset of every partition of {@code topic}. */
    private static void awaitCommitted(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, shared.kafka().bootstrapServers()))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset();
            await(group + " catches up on " + topic).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition),
                            committed -> committed != null && committed.offset() >= end);
        }
    }

    private static Map<String, Integer> tasksPerChunkAndExpert(String requestId) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        List<TopicPartition> partitions = IntStream.range(0, EXPERTS)
                .mapToObj(e -> new TopicPartition(Topics.DEFAULT.expert(0, e), 0)).toList();
        for (ConsumerRecord<String, byte[]> record : TopicRecords.toEnd(TopicRecords.plain(shared.kafka().bootstrapServers()),
                partitions, Duration.ofSeconds(60))) {
            if (requestId.equals(StreamRequestIds.clientPart(record.key()))) {
                ExpertTask task = ExpertTask.parseFrom(record.value());
                counts.merge(task.getSeq() + "/" + task.getExpert(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
