package io.moestream.gateway.it;

import io.moestream.core.kernel.NaiveSwiGluExpert;
import io.moestream.core.model.MoeModel;
import io.moestream.core.routing.ExpertAssignment;
import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.StreamRequestIds;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.DType;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.Reply;
import io.moestream.proto.v1.RouteManifest;
import io.moestream.proto.v1.TokenChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the router and the experts over the real broker: reads {@code moe.tokens}, routes each chunk with the
 * model's gate and Mixtral routing, runs the plain-Java experts, and writes the manifest and the weighted results
 * to the reply topic named in the chunk's header. How it answers is chosen per request (and seq).
 */
final class ReferencePipeline implements AutoCloseable {

    enum Behaviour {
        /** Manifest, then one result per expert. */
        NORMAL,
        /** Every result twice, before the manifest (which also comes twice). */
        DUPLICATE_RESULTS_FIRST,
        /** Manifest only: the experts never answer. */
        SILENT_EXPERTS
    }

    private final MoeModel model;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final Thread thread = new Thread(this::run, "test-router-and-experts");

    ReferencePipeline(PipelineEnv env, MoeModel model) {
        this.model = model;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", env.bootstrapServers(), "linger.ms", 0),
                new StringSerializer(), new ByteArraySerializer());
        // Assigned, not subscribed: a consumer group would wait for a rebalance each time a test starts a pipeline.
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEFAULT.tokens()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread.start();
    }

    void behave(String requestId, long seq, Behaviour behaviour) {
        behaviours.put(requestId + "#" + seq, behaviour);
    }

    /** How every chunk of {@code requestId} without a behaviour of its own is answered. */
    void behave(String requestId, Behaviour behaviour) {
        behaviours.put(requestId, behaviour);
    }

    /** Chunks of {@code requestId} read from the token topic so far. */
    int chunksSeen(String requestId) {
        AtomicInteger count = seen.get(requestId);
        return count == null ? 0 : count.get();
    }

    /** The experts the router picks for {@code x} in {@code layer}, ascending. */
    List<Integer> expertsFor(int layer, Matrix x) {
        return route(layer, x).stream().map(ExpertAssignment::expert).toList();
    }

    private List<ExpertAssignment> route(int layer, Matrix x) {
        return model.router(layer).route(x).assignments();
    }

    private void run() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    String replyTo = new String(record.headers().lastHeader(Topics.REPLY_TO_HEADER).value(),
                            StandardCharsets.UTF_8);
                    answer(TokenChunk.parseFrom(record.value()), replyTo);
                }
            }
        } catch (WakeupException e) {
            consumer.close();
        } catch (Exception e) {
            throw new IllegalStateException("test router failed", e);
        }
    }

    private void answer(TokenChunk chunk, String replyTo) {
        seen.computeIfAbsent(StreamRequestIds.clientPart(chunk.getRequestId()), id -> new AtomicInteger()).incrementAndGet();
        Matrix x = TensorMessages.fromProto(chunk.getHidden(), model.config().dModel(), Integer.MAX_VALUE);
        List<ExpertAssignment> parts = route(chunk.getLayer(), x);
        Reply manifest = manifest(chunk, parts);
        List<Reply> results = new ArrayList<>();
        for (ExpertAssignment part : parts) {
            try (NaiveSwiGluExpert expert = new NaiveSwiGluExpert(model.expert(chunk.getLayer(), part.expert()))) {
                results.add(result(chunk, part, expert.forward(x.gatherRows(part.rowIndex())).scaleRows(part.gateWeights())));
            }
        }
        Behaviour behaviour = behaviours.getOrDefault(StreamRequestIds.clientPart(chunk.getRequestId()) + "#" + chunk.getSeq(),
                behaviours.getOrDefault(StreamRequestIds.clientPart(chunk.getRequestId()), Behaviour.NORMAL));
        switch (behaviour) {
            case NORMAL -> {
                send(replyTo, chunk, manifest);
                results.forEach(r -> send(replyTo, chunk, r));
            }
            case DUPLICATE_RESULTS_FIRST -> {
                results.forEach(r -> send(replyTo, chunk, r));
                results.forEach(r -> send(replyTo, chunk, r));
                send(replyTo, chunk, manifest);
                send(replyTo, chunk, manifest);
            }
            case SILENT_EXPERTS -> send(replyTo, chunk, manifest);
        }
    }

    private static Reply manifest(TokenChunk chunk, List<ExpertAssignment> parts) {
        RouteManifest.Builder manifest = RouteManifest.newBuilder()
                .setRequestId(chunk.getRequestId()).setSeq(chunk.getSeq()).setLayer(chunk.getLayer())
                .setRows(chunk.getHidden().getRows());
        parts.forEach(p -> manifest.addExperts(p.expert()));
        return Reply.newBuilder().setManifest(manifest).build();
    }

    private static Reply result(TokenChunk chunk, ExpertAssignment part, Matrix weighted) {
        ExpertResult.Builder result = ExpertResult.newBuilder()
                .setRequestId(chunk.getRequestId()).setSeq(chunk.getSeq()).setLayer(chunk.getLayer())
                .setExpert(part.expert())
                .setWeighted(TensorMessages.toProto(weighted, DType.FP32));
        for (int r : part.rowIndex()) {
            result.addRowIndex(r);
        }
        return Reply.newBuilder().setResult(result).build();
    }

    private void send(String replyTo, TokenChunk chunk, Reply reply) {
        producer.send(new ProducerRecord<>(replyTo, chunk.getRequestId(), reply.toByteArray()));
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
        producer.close();
    }
}
