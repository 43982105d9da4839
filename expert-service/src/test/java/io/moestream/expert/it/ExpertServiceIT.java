package io.moestream.expert.it;

import static io.moestream.core.testing.TestTensors.gaussian;
import static io.moestream.expert.testing.KafkaBrokerResource.REPLY_TOPIC;
import static io.moestream.expert.testing.KafkaBrokerResource.SPEC;
import static io.moestream.expert.testing.Tasks.task;
import static io.moestream.expert.testing.Tasks.weights;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.moestream.core.kernel.NaiveSwiGluExpert;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.GateWeights;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.testing.Tolerance;
import io.moestream.core.topics.Topics;
import io.moestream.expert.testing.KafkaBrokerResource;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.ExpertTask;
import io.moestream.proto.v1.Reply;
import io.moestream.testsupport.TopicRecords;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class ExpertServiceIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Topics TOPICS = Topics.DEFAULT;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "moe.model.dir")
    Path modelDir;
    @TestHTTPResource("/q/health/ready")
    URI readiness;
    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void shouldAnswerTheTasksOfTwoExpertsAndDeadLetterTheBadOnes() throws Exception {
        // given: tasks for experts 0:1 and 1:2, one of them larger than a batch (8 rows)
        List<ExpertTask> tasks = List.of(
                task("r1", 0, 1, gaussian(3, SPEC.dModel(), 1L), weights(3, 1)).build(),
                task("r2", 0, 1, gaussian(5, SPEC.dModel(), 2L), weights(5, 2)).build(),
                task("r3", 1, 2, gaussian(2, SPEC.dModel(), 3L), weights(2, 3)).build(),
                task("r4", 0, 1, gaussian(10, SPEC.dModel(), 4L), weights(10, 4)).build(),
                task("r5", 1, 2, gaussian(4, SPEC.dModel(), 5L), weights(4, 5)).build());
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        byte[] misrouted = task("m1", 1, 2, gaussian(1, SPEC.dModel(), 6L), weights(1, 6)).build().toByteArray();

        // when: the bad records go first, so the good ones prove the worker kept going
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            send(producer, TOPICS.expert(0, 1), "junk", garbage);
            send(producer, TOPICS.expert(0, 1), "m1", misrouted);
            for (ExpertTask task : tasks) {
                send(producer, TOPICS.expert(task.getLayer(), task.getExpert()), task.getRequestId(), task.toByteArray());
            }
        }

        // then: every task answered with gate_weight * E(x), E computed by the naive reference
        Map<String, ExpertResult> results = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : consume(REPLY_TOPIC, tasks.size())) {
            ExpertResult result = Reply.parseFrom(record.value()).getResult();
            assertThat(record.key()).isEqualTo(result.getRequestId());
            results.put(result.getRequestId(), result);
        }
        try (MoeModel model = MoeModel.open(modelDir)) {
            for (ExpertTask task : tasks) {
                ExpertResult result = results.get(task.getRequestId());
                assertThat(result).as("result for %s", task.getRequestId()).isNotNull();
                assertThat(result.getLayer()).isEqualTo(task.getLayer());
                assertThat(result.getExpert()).isEqualTo(task.getExpert());
                assertThat(result.getSeq()).isEqualTo(task.getSeq());
                assertThat(result.getRowIndexList()).isEqualTo(task.getRowIndexList());
                Matrix x = TensorMessages.fromProto(task.getRows(), SPEC.dModel(), 64);
                Matrix expected = new NaiveSwiGluExpert(model.expert(task.getLayer(), task.getExpert()))
                        .forward(x).scaleRows(GateWeights.decode(task.getGateWeights(), task.getRowIndexCount()));
                Matrix actual = TensorMessages.fromProto(result.getWeighted(), SPEC.dModel(), 64);
                assertThat(Tolerance.maxRelativeError(actual, expected)).as(task.getRequestId()).isLessThan(1e-4);
            }
        }

        // then: the two bad records are dead letters with their reasons, from the topic they came from
        Map<String, String> reasons = new HashMap<>();
        for (ConsumerRecord<String, byte[]> letter : consume(TOPICS.deadLetters(), 2)) {
            assertThat(header(letter, Topics.DLQ_SOURCE_HEADER)).isEqualTo(TOPICS.expert(0, 1));
            reasons.put(letter.key(), header(letter, Topics.DLQ_REASON_HEADER));
        }
        assertThat(reasons.get("junk")).contains("undecodable ExpertTask");
        assertThat(reasons.get("m1")).contains("task for expert 1:2 arrived on the topic of expert 0:1");

        // then: ready (both consumers joined the group; one may still be joining when the other has answered), with every
        // expert of its group loaded
        HttpResponse<String> ready = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> get(readiness), response -> response.statusCode() == 200);
        assertThat(ready.body()).contains("expert-workers", "\"loaded\": \"2/2\"");

        // then: the expert consumers' lag is on the metrics endpoint, where autoscalers read it
        assertThat(get(metrics).body()).contains("kafka_consumer_fetch_manager_records_lag", "moe-expert-0");
        // and, for an FP32 checkpoint under the default compute dtype auto, the backend its kernels run on
        assertThat(get(metrics).body()).contains("moe_expert_kernel_backend{", "backend=\"openblas-fp32\"");
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        record.headers().add(Topics.REPLY_TO_HEADER, REPLY_TOPIC.getBytes(UTF_8));
        producer.send(record).get();
    }

    private List<ConsumerRecord<String, byte[]>> consume(String topic, int expectedCount) {
        List<ConsumerRecord<String, byte[]>> records = TopicRecords.atLeast(TopicRecords.plain(bootstrap),
                List.of(new TopicPartition(topic, 0)), expectedCount, DEADLINE);
        assertThat(records).as("records on %s within %s", topic, DEADLINE).hasSize(expectedCount);
        return records;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), UTF_8);
    }
}
