package io.moestream.tools.bench;

import io.moestream.core.topics.ClientSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Item 4 of the bench: Kafka's own end-to-end latency on the pipeline's broker, by the method of Kafka's
 * {@code EndToEndLatency} tool: one record at a time, produced with {@code linger.ms=0} (idempotent, acks=all, as
 * the services produce), then polled by an assigned consumer until it arrives. One such hop is the transport
 * floor; a chunk's round trip crosses three.
 */
public final class KafkaHopLatency {
    /** The topic the measurement writes to; it is not part of the pipeline's contract. */
    public static final String TOPIC = "moe.bench.hop";
    private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

    private KafkaHopLatency() {
    }

    public static LatencySummary measure(String bootstrap, int recordBytes, int warmUps, int samples)
            throws InterruptedException, ExecutionException {
        createTopic(bootstrap);
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        byte[] value = new byte[recordBytes];
        new Random(1).nextBytes(value);
        Histogram micros = LatencySummary.newHistogram();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap, recordBytes));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrap, recordBytes))) {
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
            for (int i = 0; i < warmUps + samples; i++) {
                long start = System.nanoTime();
                var ack = producer.send(new ProducerRecord<>(TOPIC, value));
                awaitOne(consumer);
                long nanos = System.nanoTime() - start;
                ack.get();
                if (i >= warmUps) {
                    LatencySummary.record(micros, nanos);
                }
            }
        }
        return LatencySummary.of(micros);
    }

    private static void awaitOne(KafkaConsumer<byte[], byte[]> consumer) {
        long deadline = System.nanoTime() + RECEIVE_TIMEOUT.toNanos();
        int received = 0;
        while (received == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a record sent to " + TOPIC + " did not come back within " + RECEIVE_TIMEOUT);
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(RECEIVE_TIMEOUT);
            received = records.count();
        }
        if (received != 1) {
            throw new IllegalStateException(received + " records came back for one sent to " + TOPIC);
        }
    }

    private static void createTopic(String bootstrap) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static Map<String, Object> producerConfig(String bootstrap, int recordBytes) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, recordBytes + 4096),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        config.putAll(ClientSettings.RELIABLE_PRODUCER);
        return config;
    }

    private static Map<String, Object> consumerConfig(String bootstrap, int recordBytes) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(1 << 20, recordBytes + 4096),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    }
}
