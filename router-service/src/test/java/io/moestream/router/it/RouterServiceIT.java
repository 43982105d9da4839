package io.moestream.router.it;

import static io.moestream.router.testing.Chunks.tokenChunk;
import static io.moestream.router.testing.KafkaBrokerResource.REPLY_TOPIC;
import static io.moestream.router.testing.KafkaBrokerResource.SPEC;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.kernel.GateScorer;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.ExpertAssignment;
import io.moestream.core.routing.TopKRouting;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.testing.TestTensors;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.router.streams.StreamsErrorHandlers;
import io.moestream.router.testing.KafkaBrokerResource;
import io.moestream.testsupport.TopicRecords;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class RouterServiceIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "moe.model.dir")
    Path modelDir;
    @TestHTTPResource("/q/health/ready")
    URI readiness;
    @Inject
    StreamsConfig streamsConfig;

    @Test
    void shouldRunWithTheErrorHandlersAndLowLatencySettingsOfItsProperties() {
        assertThat(streamsConfig.deserializationExceptionHandler()).isInstanceOf(StreamsErrorHandlers.class);
        assertThat(streamsConfig.processingExceptionHandler()).isInstanceOf(StreamsErrorHandlers.class);
        assertThat(streamsConfig.productionExceptionHandler()).isInstanceOf(StreamsErrorHandlers.class);
        assertThat(streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.AT_LEAST_ONCE);
        assertThat(streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(1);
        assertThat(streamsConfig.getString(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("moe-router");
        assertThat(streamsConfig.originals()).containsEntry(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
    }

    @Test
    void shouldRouteAChunkFromTheTokensTopicToItsExpertsAndTheReplyTopic() throws Exception {
        // given
        Matrix x = TestTensors.uniform(7, SPEC.dModel(), 21L, 1f);
        List<ExpertAssignment> expected;
        try (MoeModel model = MoeModel.open(modelDir)) {
            expected = TopKRouting.mixtral(SPEC.topK()).route(new GateScorer(model.gate(0)).logits(x)).byExpert();
        }

        // when
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> chunk = new ProducerRecord<>(Topics.DEFAULT.tokens(), "it-1", tokenChunk("it-1", 4, 0, x));
            chunk.headers().add(Topics.REPLY_TO_HEADER, REPLY_TOPIC.getBytes(UTF_8));
            producer.send(chunk).get();
        }

        // then
        List<ConsumerRecord<String, byte[]>> out = consume(1 + expected.size());
        Map<Integer, ExpertTask> tasks = new TreeMap<>();
        RouteManifest manifest = null;
        for (ConsumerRecord<String, byte[]> record : out) {
            assertThat(record.key()).isEqualTo("it-1");
            if (record.topic().equals(REPLY_TOPIC)) {
                manifest = Reply.parseFrom(record.value()).getManifest();
            } else {
                ExpertTask task = ExpertTask.parseFrom(record.value());
                assertThat(record.topic()).isEqualTo(Topics.DEFAULT.expert(0, task.getExpert()));
                assertThat(new String(record.headers().lastHeader(Topics.REPLY_TO_HEADER).value(), UTF_8)).isEqualTo(REPLY_TOPIC);
                tasks.put(task.getExpert(), task);
            }
        }
        List<Integer> expectedExperts = expected.stream().map(ExpertAssignment::expert).toList();
        assertThat(manifest).isNotNull();
        assertThat(manifest.getExpertsList()).containsExactlyElementsOf(expectedExperts);
        assertThat(tasks.keySet()).containsExactlyElementsOf(expectedExperts);
        for (ExpertAssignment assignment : expected) {
            assertThat(TensorMessages.fromProto(tasks.get(assignment.expert()).getRows(), SPEC.dModel(), x.rows()))
                    .isEqualTo(x.gatherRows(assignment.rowIndex()));
        }
        HttpResponse<String> ready = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("router-streams", "RUNNING");
    }

    private List<ConsumerRecord<String, byte[]>> consume(int expectedCount) {
        List<TopicPartition> partitions = new ArrayList<>();
        partitions.add(new TopicPartition(REPLY_TOPIC, 0));
        for (int expert = 0; expert < SPEC.experts(); expert++) {
            partitions.add(new TopicPartition(Topics.DEFAULT.expert(0, expert), 0));
        }
        List<ConsumerRecord<String, byte[]>> records = TopicRecords.atLeast(TopicRecords.plain(bootstrap), partitions,
                expectedCount, DEADLINE);
        assertThat(records).as("manifest and tasks within %s", DEADLINE).hasSize(expectedCount);
        return records;
    }
}
