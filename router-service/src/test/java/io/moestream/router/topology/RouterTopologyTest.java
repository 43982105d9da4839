package io.moestream.router.topology;

import static io.moestream.router.testing.Chunks.gateWeights;
import static io.moestream.router.testing.Chunks.tokenChunk;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.core.kernel.GateScorer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.ExpertAssignment;
import io.moestream.core.routing.TopKRouting;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.router.load.LoadMetrics;
import io.moestream.router.load.LoadSettings;
import io.moestream.router.routing.ChunkRouter;
import io.moestream.router.routing.RoutingMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouterTopologyTest {
    private static final ModelSpec SPEC = new ModelSpec(2, 8, 2, 16, 24, 42L);
    private static final int MAX_ROWS = 64;
    private static final Topics TOPICS = Topics.DEFAULT;
    private static final String REPLY_TOPIC = TOPICS.replies("gw-test");

    @TempDir
    static Path modelDir;
    private static Map<Integer, Matrix> gates;

    private TopologyTestDriver driver;

    @BeforeAll
    static void generateModel() {
        ModelGenerator.generate(modelDir, SPEC);
        try (MoeModel model = MoeModel.open(modelDir)) {
            gates = new TreeMap<>();
            for (int layer : model.moeLayers()) {
                gates.put(layer, model.gate(layer));
            }
        }
    }

    @BeforeEach
    void startDriver() {
        ChunkRouter router;
        try (MoeModel model = MoeModel.open(modelDir)) {
            router = ChunkRouter.forModel(model, TOPICS, MAX_ROWS);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // the test driver's "broker" has this gateway's reply topic only
        KnownReplyTopics replyTopics = new KnownReplyTopics(TOPICS, () -> Set.of(REPLY_TOPIC));
        driver = new TopologyTestDriver(RouterTopology.build(TOPICS, router, replyTopics, new RoutingMetrics(new SimpleMeterRegistry()),
                new LoadSettings(Duration.ofSeconds(10), 0.5, 3), new LoadMetrics(new SimpleMeterRegistry())), props);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldSendOneTaskPerChosenExpertWithExactlyItsRowsAndGateWeights() {
        // given
        int layer = 1;
        Matrix x = TestTensors.uniform(9, SPEC.dModel(), 1L, 1f);
        List<ExpertAssignment> expected = TopKRouting.mixtral(SPEC.topK())
                .route(new GateScorer(gates.get(layer)).logits(x))
                .byExpert();

        // when
        pipe("req-1", tokenChunk("req-1", 3, layer, x), replyTo(REPLY_TOPIC));

        // then
        Map<Integer, TestRecord<String, byte[]>> tasks = tasksByExpert(layer);
        assertThat(tasks.keySet()).containsExactlyElementsOf(expected.stream().map(ExpertAssignment::expert).toList());
        for (ExpertAssignment assignment : expected) {
            TestRecord<String, byte[]> record = tasks.get(assignment.expert());
            ExpertTask task = parseTask(record.value());
            assertThat(record.key()).isEqualTo("req-1");
            assertThat(header(record.headers(), Topics.REPLY_TO_HEADER)).isEqualTo(REPLY_TOPIC);
            assertThat(task.getRequestId()).isEqualTo("req-1");
            assertThat(task.getSeq()).isEqualTo(3);
            assertThat(task.getLayer()).isEqualTo(layer);
            assertThat(task.getExpert()).isEqualTo(assignment.expert());
            assertThat(task.getRowIndexList()).containsExactlyElementsOf(
                    Arrays.stream(assignment.rowIndex()).boxed().toList());
            assertThat(gateWeights(task)).containsExactly(assignment.gateWeights());
            assertThat(TensorMessages.fromProto(task.getRows(), SPEC.dModel(), MAX_ROWS))
                    .isEqualTo(x.gatherRows(assignment.rowIndex()));
        }
    }

    @Test
    void shouldSendManifestListingTheChosenExpertsToTheReplyTopic() {
        // given
        Matrix x = TestTensors.uniform(6, SPEC.dModel(), 2L, 1f);
        List<Integer> expectedExperts = TopKRouting.mixtral(SPEC.topK())
                .route(new GateScorer(gates.get(0)).logits(x))
                .byExpert().stream().map(ExpertAssignment::expert).toList();

        // when
        pipe("req-2", tokenChunk("req-2", 11, 0, x), replyTo(REPLY_TOPIC));

        // then
        List<TestRecord<String, byte[]>> replies = readAll(REPLY_TOPIC);
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).key()).isEqualTo("req-2");
        RouteManifest manifest = parseReply(replies.get(0).value()).getManifest();
        assertThat(manifest.getRequestId()).isEqualTo("req-2");
        assertThat(manifest.getSeq()).isEqualTo(11);
        assertThat(manifest.getLayer()).isZero();
        assertThat(manifest.getRows()).isEqualTo(6);
        assertThat(manifest.getExpertsList()).containsExactlyElementsOf(expectedExperts).isSorted();
        assertThat(tasksByExpert(0).keySet()).containsExactlyElementsOf(expectedExperts);
    }

    static Stream<Arguments> invalidChunks() {
        Matrix ok = TestTensors.uniform(4, SPEC.dModel(), 3L, 1f);
        Matrix withNaN = TestTensors.uniform(4, SPEC.dModel(), 4L, 1f);
        withNaN.data()[2 * SPEC.dModel() + 5] = Float.NaN;
        return Stream.of(
                Arguments.of("garbage bytes", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, replyTo(REPLY_TOPIC),
                        "undecodable TokenChunk"),
                Arguments.of("wrong d_model", tokenChunk("bad", 0, 0, TestTensors.uniform(4, 12, 5L, 1f)), replyTo(REPLY_TOPIC),
                        "d_model is 12"),
                Arguments.of("unknown layer", tokenChunk("bad", 0, 7, ok), replyTo(REPLY_TOPIC),
                        "layer 7 is not a served MoE layer"),
                Arguments.of("missing reply-to", tokenChunk("bad", 0, 0, ok), new RecordHeaders(),
                        "missing header " + Topics.REPLY_TO_HEADER),
                Arguments.of("reply topic does not exist", tokenChunk("bad", 0, 0, ok), replyTo(TOPICS.replies("gone")),
                        "reply topic 'moe.replies.gone' (header moe-reply-to) does not exist"),
                Arguments.of("NaN in hidden", tokenChunk("bad", 0, 0, withNaN), replyTo(REPLY_TOPIC),
                        "row 2 column 5 is NaN"),
                Arguments.of("too many rows", tokenChunk("bad", 0, 0, TestTensors.uniform(MAX_ROWS + 1, SPEC.dModel(), 6L, 1f)),
                        replyTo(REPLY_TOPIC), "maximum is " + MAX_ROWS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidChunks")
    void shouldDeadLetterAnInvalidChunkWithAReasonAndKeepRouting(String name, byte[] value, Headers headers,
                                                                 String reason) {
        // given
        Matrix valid = TestTensors.uniform(3, SPEC.dModel(), 9L, 1f);

        // when
        pipe("bad", value, headers);
        pipe("good", tokenChunk("good", 1, 0, valid), replyTo(REPLY_TOPIC));

        // then
        List<TestRecord<String, byte[]>> dead = readAll(TOPICS.deadLetters());
        assertThat(dead).hasSize(1);
        TestRecord<String, byte[]> letter = dead.get(0);
        assertThat(letter.key()).isEqualTo("bad");
        assertThat(letter.value()).isEqualTo(value);
        assertThat(header(letter.headers(), Topics.DLQ_REASON_HEADER)).contains(reason);
        assertThat(header(letter.headers(), Topics.DLQ_SOURCE_HEADER)).isEqualTo(TOPICS.tokens());
        // only the valid chunk was routed: one manifest, for "good"
        List<TestRecord<String, byte[]>> replies = readAll(REPLY_TOPIC);
        assertThat(replies).extracting(TestRecord::key).containsExactly("good");
        assertThat(tasksByExpert(0).values()).extracting(TestRecord::key).containsOnly("good").isNotEmpty();
    }

    @Test
    void shouldKeepTheOriginalHeadersOnADeadLetter() {
        // given
        Headers headers = replyTo(REPLY_TOPIC);
        headers.add("trace-id", "t-1".getBytes(UTF_8));

        // when
        pipe("bad", tokenChunk("bad", 0, 9, TestTensors.uniform(2, SPEC.dModel(), 7L, 1f)), headers);

        // then
        TestRecord<String, byte[]> letter = readAll(TOPICS.deadLetters()).get(0);
        assertThat(header(letter.headers(), Topics.REPLY_TO_HEADER)).isEqualTo(REPLY_TOPIC);
        assertThat(header(letter.headers(), "trace-id")).isEqualTo("t-1");
    }

    private void pipe(String key, byte[] value, Headers headers) {
        driver.createInputTopic(TOPICS.tokens(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput(new TestRecord<>(key, value, headers));
    }

    private List<TestRecord<String, byte[]>> readAll(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
    }

    private Map<Integer, TestRecord<String, byte[]>> tasksByExpert(int layer) {
        Map<Integer, TestRecord<String, byte[]>> tasks = new TreeMap<>();
        for (int expert = 0; expert < SPEC.experts(); expert++) {
            // reading only topics the driver has seen keeps it from warning about the untouched ones
            if (!driver.producedTopicNames().contains(TOPICS.expert(layer, expert))) {
                continue;
            }
            List<TestRecord<String, byte[]>> records = readAll(TOPICS.expert(layer, expert));
            assertThat(records).as("tasks for expert %d", expert).hasSizeLessThanOrEqualTo(1);
            if (!records.isEmpty()) {
                tasks.put(expert, records.get(0));
            }
        }
        return tasks;
    }

    private static Headers replyTo(String topic) {
        Headers headers = new RecordHeaders();
        headers.add(Topics.REPLY_TO_HEADER, topic.getBytes(UTF_8));
        return headers;
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), UTF_8);
    }

    private static ExpertTask parseTask(byte[] bytes) {
        try {
            return ExpertTask.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("task is not an ExpertTask", e);
        }
    }

    private static Reply parseReply(byte[] bytes) {
        try {
            return Reply.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("reply is not a Reply", e);
        }
    }
}
