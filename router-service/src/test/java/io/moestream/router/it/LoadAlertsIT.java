package io.moestream.router.it;

import static io.moestream.router.testing.Chunks.tokenChunk;
import static org.assertj.core.api.Assertions.assertThat;

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
import io.moestream.router.lag.ExpertLagMonitor;
import io.moestream.router.load.LoadListener;
import io.moestream.router.load.LoadMetrics;
import io.moestream.router.load.LoadSettings;
import io.moestream.router.routing.ChunkRouter;
import io.moestream.router.routing.RoutingMetrics;
import io.moestream.router.topology.RouterTopology;
import io.moestream.testsupport.TestKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load sub-topology on a real broker: two routers (real Kafka Streams, one per topic prefix) route the same token
 * traffic, one through a skewed model (expert 3's gate row scaled up 8x), one through the unskewed model. The skewed
 * one must raise an imbalance alert within its alert windows; the balanced one must publish windows and no alert.
 * With no expert service running, the expert lag monitor then finds the skewed pipeline's hot expert stalled.
 */
class LoadAlertsIT {
    private static final ModelSpec SPEC = new ModelSpec(1, 16, 2, 32, 8, 7L);
    private static final int HOT = 3;
    private static final int ROWS = 256;
    /** 1 s windows, alert after 2 imbalanced ones in a row. */
    private static final LoadSettings SETTINGS = new LoadSettings(Duration.ofSeconds(1), 0.5, 2);
    private static final Topics SKEWED = new Topics("skewed.");
    private static final Topics BALANCED = new Topics("balanced.");

    @TempDir
    Path dir;

    @Test
    void shouldAlertOnTheSkewedModelWithinItsAlertWindowsAndNeverOnTheBalancedOneAndSeeStalledExperts() throws Exception {
        ModelGenerator.generate(dir.resolve("skewed"), SPEC, ModelGenerator.ExpertLayout.PER_EXPERT, new GateSkew(HOT, 8f));
        ModelGenerator.generate(dir.resolve("balanced"), SPEC);
        try (TestKafkaCluster kafka = TestKafkaCluster.start()) {
            // given both pipelines' topics and a router on each
            for (Topics topics : List.of(SKEWED, BALANCED)) {
                kafka.createPipelineTopics(topics, SPEC);
                kafka.createTopics(List.of(new NewTopic(topics.replies("it"), 1, (short) 1)));
            }
            Map<String, Object> client = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KnownReplyTopics skewedReplies = KnownReplyTopics.connect(client, SKEWED);
                 KnownReplyTopics balancedReplies = KnownReplyTopics.connect(client, BALANCED);
                 KafkaStreams skewed = router(kafka, SKEWED, dir.resolve("skewed"), skewedReplies);
                 KafkaStreams balanced = router(kafka, BALANCED, dir.resolve("balanced"), balancedReplies);
                 KafkaProducer<String, byte[]> producer = producer(kafka);
                 KafkaConsumer<String, byte[]> consumer = consumer(kafka)) {
                skewed.start();
                balanced.start();
                consumer.assign(List.of(new TopicPartition(SKEWED.alerts(), 0), new TopicPartition(BALANCED.alerts(), 0),
                        new TopicPartition(SKEWED.expertLoad(), 0), new TopicPartition(BALANCED.expertLoad(), 0)));
                consumer.seekToBeginning(consumer.assignment());

                // when both get the same chunks, 4 per second, until the skewed alert opened and the balanced
                // router has closed more windows than it takes to alert (or 40 s pass)
                List<LoadAlert> skewedAlerts = new ArrayList<>();
                List<LoadAlert> balancedAlerts = new ArrayList<>();
                List<ExpertLoad> skewedLoads = new ArrayList<>();
                List<ExpertLoad> balancedLoads = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                for (int seq = 0; System.nanoTime() < deadline
                        && (skewedAlerts.isEmpty() || balancedLoads.size() < SETTINGS.alertWindows() + 2); seq++) {
                    byte[] chunk = tokenChunk("req-" + seq, 0, 0, TestTensors.uniform(ROWS, SPEC.dModel(), 1000L + seq, 1f));
                    for (Topics topics : List.of(SKEWED, BALANCED)) {
                        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.tokens(), "req-" + seq, chunk);
                        record.headers().add(Topics.REPLY_TO_HEADER, topics.replies("it").getBytes(StandardCharsets.UTF_8));
                        producer.send(record);
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                        if (r.topic().equals(SKEWED.alerts())) {
                            skewedAlerts.add(OperatorJson.alert(r.value()));
                        } else if (r.topic().equals(BALANCED.alerts())) {
                            balancedAlerts.add(OperatorJson.alert(r.value()));
                        } else if (r.topic().equals(SKEWED.expertLoad())) {
                            skewedLoads.add(OperatorJson.expertLoad(r.value()));
                        } else {
                            balancedLoads.add(OperatorJson.expertLoad(r.value()));
                        }
                    }
                }

                // then the skewed router opened an alert naming expert 3 within its first alert windows
                assertThat(skewedAlerts).as("alerts of the skewed router").isNotEmpty();
                LoadAlert alert = skewedAlerts.get(0);
                assertThat(alert.getState()).isEqualTo(LoadAlert.State.OPEN);
                assertThat(alert.getHotExpertsList()).containsExactly(HOT);
                assertThat(alert.getBalancedness()).isLessThan(SETTINGS.balancednessThreshold());
                List<ExpertLoad> untilAlert = skewedLoads.stream()
                        .filter(load -> load.getWindowEndMs() <= alert.getAtMs()).toList();
                // the first window may be partly empty (traffic started inside it), so allow one more
                assertThat(untilAlert).hasSizeBetween(SETTINGS.alertWindows(), SETTINGS.alertWindows() + 1);
                // and the balanced router closed more windows than that, all balanced, and alerted never
                assertThat(balancedLoads).hasSizeGreaterThanOrEqualTo(SETTINGS.alertWindows() + 2)
                        .allSatisfy(load -> assertThat(load.getBalancedness()).isGreaterThanOrEqualTo(SETTINGS.balancednessThreshold()));
                assertThat(balancedAlerts).isEmpty();
                System.out.printf("LoadAlertsIT: skewed windows %s, alert '%s'; balanced windows %s%n",
                        skewedLoads.stream().map(l -> String.format("%.3f", l.getBalancedness())).toList(), alert.getMessage(),
                        balancedLoads.stream().map(l -> String.format("%.3f", l.getBalancedness())).toList());

                // and, with no expert service consuming, the lag monitor finds the hot expert's tasks waiting: stalled
                // after two checks without a commit, moving again once its group commits everything
                List<LoadAlert> stalls = new ArrayList<>();
                try (ExpertLagMonitor monitor = new ExpertLagMonitor(client, SKEWED, new TreeSet<>(Set.of(0)),
                        SPEC.experts(), alertsTo(stalls), new SimpleMeterRegistry())) {
                    monitor.checkAll();
                    assertThat(stalls).isEmpty();
                    monitor.checkAll();
                    assertThat(stalls).filteredOn(a -> a.getExpert() == HOT).singleElement().satisfies(stall -> {
                        assertThat(stall.getKind()).isEqualTo(LoadAlert.Kind.EXPERT_STALLED);
                        assertThat(stall.getState()).isEqualTo(LoadAlert.State.OPEN);
                        assertThat(stall.getLagRecords()).isEqualTo(endOffset(consumer, SKEWED.expert(0, HOT)));
                        assertThat(stall.getOldestTaskAgeMs()).isPositive();
                    });
                    commitEverything(kafka, SKEWED, HOT);
                    stalls.clear();
                    monitor.checkAll();
                    assertThat(stalls).filteredOn(a -> a.getExpert() == HOT).singleElement()
                            .satisfies(moving -> assertThat(moving.getState()).isEqualTo(LoadAlert.State.RESOLVED));
                }

                // and what it wrote to the alerts topic is the same, in JSON: the hot expert's stall opened, then resolved
                List<LoadAlert> hotStallRecords = new ArrayList<>();
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (hotStallRecords.size() < 2 && System.nanoTime() < until) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                        LoadAlert written = r.topic().equals(SKEWED.alerts()) ? OperatorJson.alert(r.value()) : null;
                        if (written != null && written.getKind() == LoadAlert.Kind.EXPERT_STALLED
                                && written.getExpert() == HOT) {
                            hotStallRecords.add(written);
                        }
                    }
                }
                assertThat(hotStallRecords).extracting(LoadAlert::getState)
                        .containsExactly(LoadAlert.State.OPEN, LoadAlert.State.RESOLVED);
            }
        }
    }

    private static LoadListener alertsTo(List<LoadAlert> alerts) {
        return new LoadListener() {
            @Override
            public void windowClosed(ExpertLoad window) {
            }

            @Override
            public void alert(LoadAlert alert) {
                alerts.add(alert);
            }
        };
    }

    private static long endOffset(KafkaConsumer<String, byte[]> consumer, String topic) {
        TopicPartition partition = new TopicPartition(topic, 0);
        return consumer.endOffsets(List.of(partition)).get(partition);
    }

    /** What an expert replica does after answering: commit its group's offsets, here straight to the end. */
    private static void commitEverything(TestKafkaCluster kafka, Topics topics, int expert) {
        try (KafkaConsumer<String, byte[]> group = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, topics.expertGroup("0")), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topics.expert(0, expert), 0);
            group.assign(List.of(partition));
            group.seekToEnd(List.of(partition));
            group.commitSync(Map.of(partition, new OffsetAndMetadata(group.position(partition))));
        }
    }

    private KafkaStreams router(TestKafkaCluster kafka, Topics topics, Path model, KnownReplyTopics replyTopics) {
        ChunkRouter router;
        try (MoeModel opened = MoeModel.open(model)) {
            router = ChunkRouter.forModel(opened, topics, ROWS);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.routerGroup());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + topics.prefix()).toString());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new KafkaStreams(RouterTopology.build(topics, router, replyTopics, new RoutingMetrics(registry), SETTINGS,
                new LoadMetrics(registry)), props);
    }

    private static KafkaProducer<String, byte[]> producer(TestKafkaCluster kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(TestKafkaCluster kafka) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
