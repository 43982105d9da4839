package io.moestream.router.load;

import static io.moestream.router.testing.Chunks.tokenChunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelGenerator.GateSkew;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.OperatorJson;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import io.moestream.router.routing.ChunkRouter;
import io.moestream.router.routing.RoutingMetrics;
import io.moestream.router.topology.RouterTopology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load sub-topology end to end in a {@link TopologyTestDriver}: real routing of a generated model's gates. */
class LoadTopologyTest {
    /** 16 experts, top-2: an even layer puts 1/8 of the rows on each expert, a skewed one 1/2 on its hot expert. */
    private static final ModelSpec SPEC = new ModelSpec(1, 16, 2, 32, 8, 7L);
    private static final int HOT = 3;
    private static final int ROWS = 256;
    private static final LoadSettings SETTINGS = new LoadSettings(Duration.ofSeconds(1), 0.5, 3);
    private static final Topics TOPICS = Topics.DEFAULT;
    private static final String REPLY_TOPIC = TOPICS.replies("gw");
    /** The test driver's "broker" has the gateway's reply topic. */
    private static final KnownReplyTopics REPLY_TOPICS = new KnownReplyTopics(TOPICS, () -> Set.of(REPLY_TOPIC));

    @TempDir
    Path dir;

    @Test
    void shouldOpenAnAlertNamingTheHotExpertAfterThreeSkewedWindows() {
        // given a model whose gate row of expert 3 is scaled up 8x
        ModelGenerator.generate(dir, SPEC, ModelGenerator.ExpertLayout.PER_EXPERT, new GateSkew(HOT, 8f));

        // when chunks arrive in 5 consecutive 1 s windows (the 5th closes the 4th)
        Result result = run(5);

        // then every closed window is imbalanced, with expert 3 the hottest
        assertThat(result.loads()).hasSize(4).allSatisfy(load -> {
            assertThat(load.getBalancedness()).isLessThan(0.5);
            assertThat(load.getExpertTokens(HOT)).isEqualTo(load.getExpertTokensList().stream().mapToLong(Long::longValue).max().orElseThrow());
            assertThat(load.getSwitchAux()).isGreaterThan(1.3);
        });
        // and one alert opened, with the 3rd window, naming expert 3 hot
        assertThat(result.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getState()).isEqualTo(LoadAlert.State.OPEN);
            assertThat(alert.getKind()).isEqualTo(LoadAlert.Kind.IMBALANCE);
            assertThat(alert.getAtMs()).isEqualTo(3000);
            assertThat(alert.getWindows()).isEqualTo(3);
            assertThat(alert.getHotExpertsList()).containsExactly(HOT);
            assertThat(alert.getColdExpertsList()).isNotEmpty().doesNotContain(HOT);
        });
    }

    @Test
    void shouldPublishBalancedWindowsAndNoAlertForAnUnskewedModel() {
        // given the same model without the skew
        ModelGenerator.generate(dir, SPEC);

        // when
        Result result = run(5);

        // then each window holds every routed row once per chosen expert, balanced over the threshold
        assertThat(result.loads()).hasSize(4).allSatisfy(load -> {
            assertThat(load.getWindowEndMs() - load.getWindowStartMs()).isEqualTo(1000);
            assertThat(load.getChunks()).isEqualTo(1);
            assertThat(load.getRows()).isEqualTo(ROWS);
            assertThat(load.getExpertTokensList().stream().mapToLong(Long::longValue).sum()).isEqualTo(2L * ROWS);
            assertThat(load.getExpertProbabilityList().stream().mapToDouble(Double::doubleValue).sum())
                    .isCloseTo(ROWS, within(1e-3));
            assertThat(load.getBalancedness()).isGreaterThanOrEqualTo(0.5);
            assertThat(load.getSwitchAux()).isLessThan(1.3);
        });
        assertThat(result.loads()).extracting(ExpertLoad::getWindowStartMs).containsExactly(0L, 1000L, 2000L, 3000L);
        assertThat(result.alerts()).isEmpty();
    }

    @Test
    void shouldKeepTheLoadStepsInASubTopologyOfTheirOwn() {
        ModelGenerator.generate(dir, SPEC);
        TopologyDescription description = RouterTopology.build(TOPICS, router(), REPLY_TOPICS, new RoutingMetrics(new SimpleMeterRegistry()),
                SETTINGS, new LoadMetrics(new SimpleMeterRegistry())).describe();

        // the routing path and the load path meet only through the repartition topic
        assertThat(description.subtopologies()).hasSize(2);
        assertThat(description.subtopologies()).anySatisfy(sub -> assertThat(sub.toString())
                .contains(LoadTopology.WINDOW_STORE, LoadTopology.ALERT_STORE).doesNotContain("route-chunk"));
    }

    private record Result(List<ExpertLoad> loads, List<LoadAlert> alerts) {
    }

    private Result run(int windows) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "load-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TopologyTestDriver driver = new TopologyTestDriver(RouterTopology.build(TOPICS, router(), REPLY_TOPICS,
                new RoutingMetrics(registry), SETTINGS, new LoadMetrics(registry)), props)) {
            var tokens = driver.createInputTopic(TOPICS.tokens(), new StringSerializer(), new ByteArraySerializer());
            for (int w = 0; w < windows; w++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(Topics.REPLY_TO_HEADER, REPLY_TOPIC.getBytes(StandardCharsets.UTF_8));
                String id = "req-" + w;
                // a new random chunk per window, 200 ms into it
                byte[] chunk = tokenChunk(id, 0, 0, TestTensors.uniform(ROWS, SPEC.dModel(), 100L + w, 1f));
                tokens.pipeInput(new TestRecord<>(id, chunk, headers, Instant.ofEpochMilli(w * 1000L + 200)));
            }
            List<ExpertLoad> loads = driver.createOutputTopic(TOPICS.expertLoad(), new StringDeserializer(),
                    new ByteArrayDeserializer()).readValuesToList().stream().map(OperatorJson::expertLoad).toList();
            List<LoadAlert> alerts = driver.createOutputTopic(TOPICS.alerts(), new StringDeserializer(),
                    new ByteArrayDeserializer()).readValuesToList().stream().map(OperatorJson::alert).toList();
            return new Result(loads, alerts);
        }
    }

    private ChunkRouter router() {
        try (MoeModel model = MoeModel.open(dir)) {
            return ChunkRouter.forModel(model, TOPICS, ROWS);
        }
    }
}
