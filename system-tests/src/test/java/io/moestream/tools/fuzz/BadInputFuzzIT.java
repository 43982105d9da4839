package io.moestream.tools.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.LayerRouter;
import io.moestream.core.routing.RoutingOptions;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.InvalidTensorException;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.proto.oip.GRPCInferenceServiceGrpc;
import io.moestream.proto.oip.ModelInferRequest;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.GateWeightTarget;
import io.moestream.proto.v1.InferChunk;
import io.moestream.proto.v1.InferResult;
import io.moestream.proto.v1.TokenChunk;
import io.moestream.testsupport.PrometheusScrape;
import io.moestream.testsupport.TestKafkaCluster;
import io.moestream.tools.client.GatewayClient;
import io.moestream.tools.client.StreamOutcome;
import io.moestream.tools.stack.LocalStack;
import io.moestream.tools.stack.MoeHome;
import io.moestream.tools.stack.StackOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes every entry point of a running pipeline (real broker, the three services as processes, gRPC over loopback)
 * with seeded random bad input: the {@code moe.v1} and OIP gRPC calls, and raw records on the token topic, the expert
 * topics and the gateway's reply topic. Each bad gRPC input must end with INVALID_ARGUMENT and a message; each bad
 * token or task record must reach {@code moe.dlq} with its reason and source; each reply record must be ignored and
 * counted; no service may exit or stall, and valid traffic after each round must still equal the reference. The seed
 * ({@code -Dmoe.fuzz.seed}) and the count of inputs tried are printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BadInputFuzzIT {
    static final int EXPERTS = 4;
    static final int D_MODEL = 16;
    static final int MAX_ROWS = 64;
    static final double MAX_REL_ERROR = 1e-4;
    static final long SEED = Long.getLong("moe.fuzz.seed", System.nanoTime());
    static final int ROUNDS = Integer.getInteger("moe.fuzz.rounds", 200);
    static final String MODEL_NAME = "moe-layer-0";
    static final Topics TOPICS = Topics.DEFAULT;
    static final AtomicInteger TRIED = new AtomicInteger();

    static Path modelDir;
    static TestKafkaCluster kafka;
    static LocalStack stack;
    static GatewayClient client;
    static ManagedChannel channel;
    static MoeModel model;
    static ReferenceMoeLayer reference;
    static LayerRouter gate;
    static Random random;
    static BadTensors badTensors;
    static Mutations mutations;
    static int validRequests;

    @BeforeAll
    static void startStack() throws Exception {
        System.out.println("BadInputFuzzIT seed " + SEED + " (rerun with -Dmoe.fuzz.seed=" + SEED + ")");
        random = new Random(SEED);
        badTensors = new BadTensors(random, D_MODEL, MAX_ROWS);
        mutations = new Mutations(random);
        modelDir = Files.createTempDirectory("moe-fuzz-model-");
        ModelGenerator.generate(modelDir, new ModelSpec(1, EXPERTS, 2, D_MODEL, 24, 5));
        kafka = TestKafkaCluster.start();
        stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir)
                .withBootstrap(kafka.bootstrapServers())
                .withExtraProperties(Map.of("moe.max-chunk-rows", Integer.toString(MAX_ROWS))), System.out::println);
        client = new GatewayClient(stack.gatewayAddress());
        channel = ManagedChannelBuilder.forTarget(stack.gatewayAddress()).usePlaintext().build();
        model = MoeModel.open(modelDir);
        reference = new ReferenceMoeLayer(model, 0);
        gate = model.router(0, RoutingOptions.NONE);
    }

    @AfterAll
    static void stopStack() throws Exception {
        System.out.println("BadInputFuzzIT: " + TRIED.get() + " bad or mutated inputs tried (seed " + SEED + ")");
        if (stack != null) {
            stack.copyLogsTo(Path.of("target", "stack-logs", "BadInputFuzzIT"));
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        for (AutoCloseable part : new AutoCloseable[] {client, stack, kafka, reference, model}) {
            if (part != null) {
                part.close();
            }
        }
        LocalStack.deleteRecursively(modelDir);
    }

    /** After every round: every process still runs, and a valid request is answered equal to the reference. */
    @AfterEach
    void pipelineStillServes() throws Exception {
        assertThat(stack.firstExited()).as("a process exited").isEmpty();
        Matrix x = badTensors.random(3 * 8, D_MODEL);
        Matrix y = client.infer("valid-" + validRequests++, 0, x, 8, Duration.ofSeconds(60));
        assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(MAX_REL_ERROR);
    }

    @Test
    @Order(1)
    void moeV1ChunksThatBreakOneRuleEndTheStreamWithInvalidArgument() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String id = "bad-chunk-" + i;
            BadChunks.Case bad = BadChunks.next(random, badTensors, id);
            // a valid chunk first half of the time: it must be answered before the stream fails
            List<InferChunk> chunks = new ArrayList<>();
            boolean validFirst = random.nextBoolean() && !bad.streamLevel();
            if (validFirst) {
                chunks.add(InferChunk.newBuilder().setRequestId(id).setSeq(1_000).setLayer(0)
                        .setHidden(badTensors.valid()).build());
            }
            chunks.addAll(bad.chunks());
            StreamOutcome outcome = client.send(chunks, Duration.ofSeconds(30));
            TRIED.incrementAndGet();
            assertThat(outcome.status().getCode()).as(bad.what() + ": " + outcome.status())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(outcome.status().getDescription()).as(bad.what()).startsWith("chunk seq ");
            assertThat(outcome.results()).as(bad.what()).hasSize(validFirst ? 1 : bad.answeredBefore());
        }
    }

    @Test
    @Order(2)
    void moeV1MessagesOfDamagedBytesAreRejectedOrAnsweredCorrectly() throws Exception {
        int rejected = 0;
        for (int i = 0; i < ROUNDS; i++) {
            InferChunk valid = InferChunk.newBuilder().setRequestId("mutated-" + i).setSeq(0).setLayer(0)
                    .setHidden(badTensors.valid()).build();
            Mutations.Mutated mutated = mutations.mutate(valid.toByteArray());
            RawGrpc.Answer answer = RawGrpc.call(channel, RawGrpc.INFER, mutated.bytes(), 30);
            TRIED.incrementAndGet();
            Matrix accepted = acceptedHidden(mutated.bytes());
            if (accepted == null) {
                rejected++;
                assertThat(answer.status().getCode()).as(mutated.how() + ": " + answer.status())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(answer.status().getDescription()).as(mutated.how()).isNotBlank();
            } else if (reference.forward(accepted).firstNonFinite() >= 0) {
                // valid, but the layer's output overflows: refused at once, naming it, not left to time out
                rejected++;
                assertThat(answer.status().getCode()).as(mutated.how() + ": " + answer.status())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(answer.status().getDescription()).contains("is not finite");
            } else {
                // the damage left a valid chunk: it must be answered, and correctly
                assertThat(answer.status().isOk()).as(mutated.how() + ": " + answer.status()).isTrue();
                assertThat(answer.messages()).hasSize(1);
                Matrix y = TensorMessages.fromProto(InferResult.parseFrom(answer.messages().get(0)).getOutput(),
                        D_MODEL, MAX_ROWS);
                assertThat(ErrorStats.compare(y, reference.forward(accepted)).maxRelError()).isLessThan(MAX_REL_ERROR);
            }
        }
        System.out.println("moe.v1 damaged messages: " + ROUNDS + " sent, " + rejected + " rejected, "
                + (ROUNDS - rejected) + " still valid and answered");
    }

    @Test
    @Order(3)
    void oipRequestsThatBreakOneRuleGetInvalidArgument() {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        for (int i = 0; i < ROUNDS; i++) {
            BadOip.Case bad = BadOip.next(random, badTensors, MODEL_NAME, D_MODEL);
            TRIED.incrementAndGet();
            try {
                stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(bad.request());
                throw new AssertionError(bad.what() + ": was answered");
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).as(bad.what() + ": " + e.getStatus())
                        .isEqualTo(bad.unknownModel() ? Status.Code.NOT_FOUND : Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).as(bad.what()).isNotBlank();
            }
        }
    }

    @Test
    @Order(4)
    void oipMessagesOfDamagedBytesAreRejectedOrAnswered() throws Exception {
        int rejected = 0;
        for (int i = 0; i < ROUNDS; i++) {
            ModelInferRequest valid = BadOip.valid(badTensors, MODEL_NAME).build();
            Mutations.Mutated mutated = mutations.mutate(valid.toByteArray());
            RawGrpc.Answer answer = RawGrpc.call(channel, RawGrpc.MODEL_INFER, mutated.bytes(), 30);
            TRIED.incrementAndGet();
            if (!answer.status().isOk()) {
                rejected++;
                // an unknown model name or version is NOT_FOUND in the protocol; everything else INVALID_ARGUMENT
                assertThat(answer.status().getCode()).as(mutated.how() + ": " + answer.status())
                        .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND);
                assertThat(answer.status().getDescription()).as(mutated.how()).isNotBlank();
            }
        }
        System.out.println("OIP damaged messages: " + ROUNDS + " sent, " + rejected + " rejected, "
                + (ROUNDS - rejected) + " still valid and answered");
    }

    @Test
    @Order(5)
    void badRecordsOnTheTokenAndExpertTopicsBecomeDeadLetters() throws Exception {
        String replyTopic = gatewayReplyTopic();
        Map<String, String> expectedSource = new HashMap<>();
        int valid = 0;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < ROUNDS; i++) {
                String key = "fuzz-tokens-" + i;
                BadRecords.Record record = BadRecords.tokenChunk(random, badTensors, mutations, key, replyTopic);
                producer.send(record.toProducerRecord(TOPICS.tokens(), key));
                if (!validTokenChunk(record, replyTopic)) {
                    expectedSource.put(key, TOPICS.tokens());
                } else {
                    valid++;
                }
            }
            for (int i = 0; i < ROUNDS; i++) {
                String key = "fuzz-tasks-" + i;
                int expert = random.nextInt(EXPERTS);
                BadRecords.Record record = BadRecords.expertTask(random, badTensors, mutations, key, replyTopic, expert);
                producer.send(record.toProducerRecord(TOPICS.expert(0, expert), key));
                if (!validTask(record, expert, replyTopic)) {
                    expectedSource.put(key, TOPICS.expert(0, expert));
                } else {
                    valid++;
                }
            }
            producer.flush();
        }
        TRIED.addAndGet(2 * ROUNDS);
        Map<String, ConsumerRecord<String, byte[]>> deadLetters = awaitDeadLetters(expectedSource.keySet());
        Map<String, String> unexpectedReasons = new HashMap<>();
        deadLetters.forEach((key, letter) -> {
            if (!expectedSource.containsKey(key)) {
                unexpectedReasons.put(key, header(letter, Topics.DLQ_REASON_HEADER));
            }
        });
        assertThat(unexpectedReasons).as("dead letters for records the oracle counts valid").isEmpty();
        assertThat(deadLetters.keySet()).containsExactlyInAnyOrderElementsOf(expectedSource.keySet());
        deadLetters.forEach((key, letter) -> {
            assertThat(header(letter, Topics.DLQ_SOURCE_HEADER)).as(key).isEqualTo(expectedSource.get(key));
            assertThat(header(letter, Topics.DLQ_REASON_HEADER)).as(key).isNotBlank();
        });
        long missingReplyTopics = deadLetters.values().stream()
                .filter(letter -> header(letter, Topics.DLQ_REASON_HEADER).endsWith(") does not exist")).count();
        System.out.println("topic records: " + 2 * ROUNDS + " sent, " + expectedSource.size() + " dead letters with a reason ("
                + missingReplyTopics + " for a reply topic that does not exist), " + valid + " still valid (routed or answered, then ignored by the gateway as unknown chunks)");
    }

    @Test
    @Order(6)
    void badRecordsOnTheReplyTopicAreIgnoredAndCounted() throws Exception {
        String replyTopic = gatewayReplyTopic();
        // replies to the valid records of the last round (and to earlier streams cut short) may still be on their way:
        // start from the count once all of them are in
        double before = ignoredRepliesOnceDrained();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < ROUNDS; i++) {
                String key = "fuzz-replies-" + i;
                producer.send(new ProducerRecord<>(replyTopic, key, BadRecords.reply(random, badTensors, mutations, key)));
            }
            producer.flush();
        }
        TRIED.addAndGet(ROUNDS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ignoredReplies() >= before + ROUNDS);
        assertThat(ignoredReplies() - before).isEqualTo(ROUNDS);
    }

    /**
     * A chunk and a task for every expert whose reply topic is well-formed but does not exist: each is dead-lettered
     * with the reason naming that topic, and a valid request sent right behind them is answered within seconds, where
     * the router's and the experts' producers used to block on such a record for max.block.ms (60 s).
     */
    @Test
    @Order(7)
    void recordsNamingAReplyTopicThatDoesNotExistAreDeadLetteredWithoutStallingTheNextRequest() throws Exception {
        String gone = TOPICS.replies("gone-" + random.nextInt(1_000_000));
        Matrix x = badTensors.random(2 * 8, D_MODEL);
        long start = System.nanoTime();
        client.infer("before-gone", 0, x, 8, Duration.ofSeconds(60));
        long baselineMs = (System.nanoTime() - start) / 1_000_000;
        Map<String, String> expectedSource = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            Headers headers = new RecordHeaders().add(Topics.REPLY_TO_HEADER, gone.getBytes(StandardCharsets.UTF_8));
            TokenChunk chunk = TokenChunk.newBuilder().setRequestId("fuzz-gone-chunk").setLayer(0)
                    .setHidden(badTensors.valid()).build();
            producer.send(new ProducerRecord<>(TOPICS.tokens(), null, "fuzz-gone-chunk", chunk.toByteArray(), headers));
            expectedSource.put("fuzz-gone-chunk", TOPICS.tokens());
            // one task on every expert's topic, so the valid request below queues behind one whatever its routing
            for (int expert = 0; expert < EXPERTS; expert++) {
                String key = "fuzz-gone-task-" + expert;
                producer.send(new ProducerRecord<>(TOPICS.expert(0, expert), null, key,
                        BadRecords.validTask(badTensors, key, expert).toByteArray(), headers));
                expectedSource.put(key, TOPICS.expert(0, expert));
            }
            producer.flush();
        }
        TRIED.addAndGet(expectedSource.size());

        start = System.nanoTime();
        Matrix y = client.infer("after-gone", 0, x, 8, Duration.ofSeconds(15));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(MAX_REL_ERROR);

        Map<String, ConsumerRecord<String, byte[]>> deadLetters = awaitDeadLetters(expectedSource.keySet());
        assertThat(deadLetters.keySet()).containsAll(expectedSource.keySet());
        expectedSource.forEach((key, source) -> {
            assertThat(header(deadLetters.get(key), Topics.DLQ_SOURCE_HEADER)).as(key).isEqualTo(source);
            assertThat(header(deadLetters.get(key), Topics.DLQ_REASON_HEADER)).as(key)
                    .isEqualTo(KnownReplyTopics.missing(gone));
        });
        System.out.println("missing reply topic " + gone + ": " + expectedSource.size()
                + " records dead-lettered with its name; the valid request behind them took " + tookMs + " ms (the same"
                + " request before them: " + baselineMs + " ms)");
    }

    /** The hidden states the gateway must accept from these bytes, or null when they are not a valid chunk. */
    private static Matrix acceptedHidden(byte[] bytes) {
        try {
            InferChunk chunk = InferChunk.parseFrom(bytes);
            if (chunk.getRequestId().isEmpty() || chunk.getLayer() != 0 || !chunk.hasHidden()) {
                return null;
            }
            Matrix hidden = TensorMessages.fromProto(chunk.getHidden(), D_MODEL, MAX_ROWS);
            return gate.logits(hidden).firstNonFinite() < 0 ? hidden : null;
        } catch (InvalidProtocolBufferException | InvalidTensorException e) {
            return null;
        }
    }

    /** The router's rules (docs/CONTRACTS.md): what it must route rather than reject; the one existing reply topic. */
    private static boolean validTokenChunk(BadRecords.Record record, String replyTopic) {
        if (record.value() == null || !replyTopic.equals(record.replyTo())) {
            return false;
        }
        try {
            TokenChunk chunk = TokenChunk.parseFrom(record.value());
            if (chunk.getRequestId().isEmpty() || chunk.getLayer() != 0 || !chunk.hasHidden()) {
                return false;
            }
            Matrix hidden = TensorMessages.fromProto(chunk.getHidden(), D_MODEL, MAX_ROWS);
            return gate.logits(hidden).firstNonFinite() < 0;
        } catch (InvalidProtocolBufferException | InvalidTensorException e) {
            return false;
        }
    }

    /** The expert's rules (docs/CONTRACTS.md): what it must answer rather than reject; the one existing reply topic. */
    private static boolean validTask(BadRecords.Record record, int expert, String replyTopic) {
        if (record.value() == null || !replyTopic.equals(record.replyTo())) {
            return false;
        }
        try {
            ExpertTask task = ExpertTask.parseFrom(record.value());
            if (task.getRequestId().isEmpty() || task.getLayer() != 0 || task.getExpert() != expert || !task.hasRows()
                    || task.getGateWeightTarget() == GateWeightTarget.UNRECOGNIZED) {
                return false;
            }
            Matrix rows = TensorMessages.fromProto(task.getRows(), D_MODEL, MAX_ROWS);
            if (task.getRowIndexCount() != rows.rows() || task.getGateWeights().size() != rows.rows() * Float.BYTES) {
                return false;
            }
            ByteBuffer weights = task.getGateWeights().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < rows.rows(); i++) {
                if (!Float.isFinite(weights.getFloat())) {
                    return false;
                }
            }
            return true;
        } catch (InvalidProtocolBufferException | InvalidTensorException e) {
            return false;
        }
    }

    private static Map<String, ConsumerRecord<String, byte[]>> awaitDeadLetters(java.util.Set<String> keys) {
        Map<String, ConsumerRecord<String, byte[]>> found = new HashMap<>();
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(TOPICS.deadLetters(), 0)));
            consumer.seekToBeginning(consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!found.keySet().containsAll(keys) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && record.key().startsWith("fuzz-")) {
                        assertThat(found.put(record.key(), record)).as("second dead letter for " + record.key()).isNull();
                    }
                }
            }
            // anything still in flight that should not be there arrives within a moment
            consumer.poll(Duration.ofSeconds(2)).forEach(r -> {
                if (r.key() != null && r.key().startsWith("fuzz-")) {
                    found.put(r.key(), r);
                }
            });
        }
        return found;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String gatewayReplyTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return admin.listTopics().names().get().stream().filter(TOPICS::isReplyTopic).findFirst().orElseThrow();
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The ignored-reply count once every record sent so far has come through the pipeline: a valid request whose chunk
     * goes to every expert is answered only after the router has routed every chunk before it, each expert has
     * answered every task before its own, and the gateway has read every reply before them (the token topic, each
     * expert topic and the reply topic have one partition, and each stage takes a partition's records in order).
     */
    private static double ignoredRepliesOnceDrained() throws Exception {
        Matrix x = badTensors.random(16, D_MODEL);
        while (gate.route(x).assignments().stream().filter(a -> a.rowIndex().length > 0).count() < EXPERTS) {
            x = badTensors.random(16, D_MODEL);
        }
        Matrix y = client.infer("drain-" + validRequests++, 0, x, 16, Duration.ofSeconds(60));
        assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(MAX_REL_ERROR);
        return ignoredReplies();
    }

    /** The sum of {@code moe_gateway_replies_ignored_total} over its reasons. */
    private static double ignoredReplies() throws Exception {
        return PrometheusScrape.of(stack.httpAddress("gateway")).sum("moe_gateway_replies_ignored_total", Map.of());
    }
}
