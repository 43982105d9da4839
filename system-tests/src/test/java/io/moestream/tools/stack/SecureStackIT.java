package io.moestream.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moestream.core.layer.ReferenceMoeLayer;
import io.moestream.core.model.ModelGenerator;
import io.moestream.core.model.ModelSpec;
import io.moestream.core.model.MoeModel;
import io.moestream.core.tensor.ErrorStats;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.topics.Topics;
import io.moestream.tools.client.GatewayClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./moe up --secure}: the embedded broker on SASL_SSL with SCRAM and ACLs, one principal per service (two
 * expert processes here, so each expert principal has experts it may not read). The pipeline still answers like the
 * reference; a plain-text client gets nothing; an expert's principal is refused another expert's topic.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SecureStackIT {
    static final int D_MODEL = 16;

    static Path modelDir;
    static LocalStack stack;
    static MoeModel model;
    static ReferenceMoeLayer reference;

    @BeforeAll
    static void startStack() throws Exception {
        modelDir = Files.createTempDirectory("moe-secure-model-");
        ModelGenerator.generate(modelDir, new ModelSpec(1, 4, 2, D_MODEL, 24, 11));
        stack = LocalStack.start(MoeHome.locate(), StackOptions.forModel(modelDir).withExpertProcesses(2).withSecure(true),
                System.out::println);
        model = MoeModel.open(modelDir);
        reference = new ReferenceMoeLayer(model, 0);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.copyLogsTo(Path.of("target", "stack-logs", "SecureStackIT"));
        }
        for (AutoCloseable part : new AutoCloseable[] {stack, reference, model}) {
            if (part != null) {
                part.close();
            }
        }
        LocalStack.deleteRecursively(modelDir);
    }

    @Test
    void shouldAnswerLikeTheReferenceOnTheSecuredBroker() throws Exception {
        Matrix x = Matrix.gaussian(64, D_MODEL, 4);
        try (GatewayClient client = new GatewayClient(stack.gatewayAddress())) {
            Matrix y = client.infer("secure", 0, x, 16, Duration.ofSeconds(90));
            assertThat(ErrorStats.compare(y, reference.forward(x)).maxRelError()).isLessThan(1e-4);
        }
    }

    @Test
    void shouldGiveAPlainTextClientNothing() {
        try (Admin plain = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
            assertThatThrownBy(() -> plain.listTopics().names().get()).isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void shouldRefuseAnExpertPrincipalAnotherExpertsTopic() {
        // expert group 0 serves experts 0 and 1 of layer 0 (the experts split evenly in order), group 1 serves 2 and 3
        String foreignTopic = Topics.DEFAULT.expert(0, 3);
        Map<String, Object> expert0 = stack.kafkaClientConfig(LocalStack.EXPERT_PRINCIPAL + 0);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(expert0, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(foreignTopic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(TopicAuthorizationException.class,
                            e -> assertThat(e.unauthorizedTopics()).containsExactly(foreignTopic));
        }
        // nor may it write the token topic, which only the gateway writes
        Map<String, Object> producerConfig = new HashMap<>(stack.kafkaClientConfig(LocalStack.EXPERT_PRINCIPAL + 0));
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new ByteArraySerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.DEFAULT.tokens(), "x", new byte[1])).get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(stack.firstExited()).isEmpty();
    }
}
