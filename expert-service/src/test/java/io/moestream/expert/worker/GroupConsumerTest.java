package io.moestream.expert.worker;

import static io.moestream.core.testing.TestTensors.gaussian;
import static io.moestream.expert.testing.Tasks.task;
import static io.moestream.expert.testing.Tasks.weights;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.moestream.core.kernel.NaiveSwiGluExpert;
import io.moestream.core.model.ExpertWeights;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.core.placement.ExpertId;
import io.moestream.expert.task.ExpertTaskDecoder;
import io.moestream.proto.v1.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer loop against Kafka's in-memory consumer and producer, whose acks the test hands out one by one. */
class GroupConsumerTest {
    private static final int D_MODEL = 4;
    private static final ExpertId EXPERT = new ExpertId(0, 2);
    private static final Topics TOPICS = Topics.DEFAULT;
    private static final TopicPartition PARTITION = new TopicPartition(TOPICS.expert(0, 2), 0);
    private static final ExpertId OTHER = new ExpertId(1, 0);
    private static final TopicPartition OTHER_PARTITION = new TopicPartition(TOPICS.expert(1, 0), 0);
    private static final String REPLY = "moe.replies.gw";
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final KernelPool kernels = new KernelPool(2);
    /** What the other expert groups have committed, as the resume point reads it. */
    private Map<TopicPartition, Long> othersCommitted = Map.of();
    private GroupConsumer worker;
    private Thread thread;

    @BeforeEach
    void startWorker() {
        ExpertWeights weights = new ExpertWeights(gaussian(6, D_MODEL, 1L), gaussian(D_MODEL, 6, 2L), gaussian(6, D_MODEL, 3L));
        List<ServedExpert> experts = List.of(served(EXPERT, weights), served(OTHER, weights));
        // the in-memory "broker" has the one gateway's reply topic
        KnownReplyTopics replyTopics = new KnownReplyTopics(TOPICS, () -> Set.of(REPLY));
        worker = new GroupConsumer("consumer-under-test", experts, consumer, new ReplyPublisher(producer, TOPICS, replyTopics),
                kernels, new ResumePoint(partitions -> othersCommitted), 16, Duration.ZERO);
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L, OTHER_PARTITION, 0L));
        thread = new Thread(worker, "worker-under-test");
    }

    @AfterEach
    void stopWorker() throws InterruptedException {
        worker.stop();
        thread.join(DEADLINE.toMillis());
        kernels.close();
    }

    private ServedExpert served(ExpertId id, ExpertWeights weights) {
        return new ServedExpert(id, TOPICS.expert(id.layer(), id.expert()), new NaiveSwiGluExpert(weights),
                new ExpertTaskDecoder(TOPICS, id, D_MODEL, 16), 16, registry);
    }

    @Test
    void shouldCommitOnlyAfterTheBrokerAcknowledgedEveryResult() {
        // given
        deliver(record(0, "r1", task("r1", 0, 2, gaussian(2, D_MODEL, 4L), weights(2, 1)).build().toByteArray()),
                record(1, "r2", task("r2", 0, 2, gaussian(3, D_MODEL, 5L), weights(3, 2)).build().toByteArray()));

        // when
        thread.start();
        await(() -> producer.history().size() == 2);

        // then: results are out, but nothing is committed before their acks
        assertThat(committed()).isNull();
        assertThat(worker.state()).isEqualTo(WorkerState.SERVING);
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsOnly(REPLY);
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("r1", "r2");
        producer.completeNext();
        assertThat(committed()).isNull();
        producer.completeNext();
        await(() -> committed() != null);
        assertThat(committed().offset()).isEqualTo(2);
    }

    @Test
    void shouldDeadLetterAnInvalidTaskAndAnswerTheNextOne() throws Exception {
        // given
        deliver(record(0, "junk", new byte[] {(byte) 0xff, (byte) 0xff}),
                record(1, "r1", task("r1", 0, 2, gaussian(1, D_MODEL, 6L), weights(1, 3)).build().toByteArray()));

        // when
        ProducerRecord<String, byte[]> letter = deadLetterThenAnswer("r1");

        // then
        assertThat(letter.key()).isEqualTo("junk");
        assertThat(letter.value()).containsExactly(0xff, 0xff);
        assertThat(header(letter, Topics.DLQ_REASON_HEADER)).contains("undecodable ExpertTask");
        assertThat(header(letter, Topics.DLQ_SOURCE_HEADER)).isEqualTo(PARTITION.topic());
        // and the expert's metrics count the one row computed, its kernel call and the dead letter
        assertThat(registry.get("moe.expert.tokens").tags("layer", "0", "expert", "2").counter().count()).isEqualTo(1);
        assertThat(registry.get("moe.expert.dead.letters").tags("layer", "0", "expert", "2").counter().count()).isEqualTo(1);
        assertThat(registry.get("moe.expert.batch.rows").tags("layer", "0", "expert", "2").summary().count()).isEqualTo(1);
        assertThat(registry.get("moe.expert.processing").tags("layer", "0", "expert", "2").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterATaskWhoseReplyTopicDoesNotExistAndAnswerTheNextOne() throws Exception {
        // given
        ConsumerRecord<String, byte[]> orphan = record(0, "orphan", task("orphan", 0, 2, gaussian(1, D_MODEL, 8L), weights(1, 5))
                .build().toByteArray());
        orphan.headers().remove(Topics.REPLY_TO_HEADER);
        orphan.headers().add(Topics.REPLY_TO_HEADER, "moe.replies.gone".getBytes(UTF_8));
        deliver(orphan, record(1, "r1", task("r1", 0, 2, gaussian(1, D_MODEL, 9L), weights(1, 6)).build().toByteArray()));

        // when
        ProducerRecord<String, byte[]> letter = deadLetterThenAnswer("r1");

        // then: the orphan's result was never sent, only its dead letter
        assertThat(letter.key()).isEqualTo("orphan");
        assertThat(header(letter, Topics.DLQ_REASON_HEADER))
                .isEqualTo("reply topic 'moe.replies.gone' (header moe-reply-to) does not exist");
    }

    @Test
    void shouldDeadLetterATaskWhoseResultTheBrokerRefused() {
        // given
        deliver(record(0, "r1", task("r1", 0, 2, gaussian(1, D_MODEL, 7L), weights(1, 4)).build().toByteArray()));

        // when
        thread.start();
        await(() -> producer.history().size() == 1);
        producer.errorNext(new TimeoutException("reply topic gone"));
        await(() -> producer.history().size() == 2);

        // then
        ProducerRecord<String, byte[]> letter = producer.history().get(1);
        assertThat(letter.topic()).isEqualTo(TOPICS.deadLetters());
        assertThat(header(letter, Topics.DLQ_REASON_HEADER)).contains("could not publish the result to " + REPLY, "reply topic gone");
        assertThat(committed()).isNull();
        producer.completeNext();
        await(() -> committed() != null);
        assertThat(committed().offset()).isEqualTo(1);
    }

    @Test
    void shouldCloseTheConsumerWhenStopped() throws InterruptedException {
        deliver();
        thread.start();
        await(() -> worker.state() == WorkerState.SERVING);

        worker.stop();
        thread.join(DEADLINE.toMillis());

        assertThat(thread.isAlive()).isFalse();
        assertThat(consumer.closed()).isTrue();
        assertThat(worker.state()).isEqualTo(WorkerState.STOPPED);
    }

    @Test
    void shouldAnswerTheTasksOfSeveralExpertsInOneWindowAndCommitEachPartition() {
        // given one task for each of the group's two experts, polled together
        ConsumerRecord<String, byte[]> other = new ConsumerRecord<>(OTHER_PARTITION.topic(), 0, 0, "r2",
                task("r2", 1, 0, gaussian(2, D_MODEL, 11L), weights(2, 7)).build().toByteArray());
        other.headers().add(Topics.REPLY_TO_HEADER, REPLY.getBytes(UTF_8));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(Set.of(PARTITION, OTHER_PARTITION));
            consumer.addRecord(record(0, "r1", task("r1", 0, 2, gaussian(1, D_MODEL, 10L), weights(1, 6)).build().toByteArray()));
            consumer.addRecord(other);
        });

        // when
        thread.start();
        await(() -> producer.history().size() == 2);
        producer.completeNext();
        producer.completeNext();

        // then both are answered by their own expert, and both partitions are committed
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactlyInAnyOrder("r1", "r2");
        await(() -> committed() != null && consumer.committed(Set.of(OTHER_PARTITION)).get(OTHER_PARTITION) != null);
        assertThat(consumer.committed(Set.of(OTHER_PARTITION)).get(OTHER_PARTITION).offset()).isEqualTo(1);
        assertThat(registry.get("moe.expert.tokens").tags("layer", "1", "expert", "0").counter().count()).isEqualTo(2);
    }

    @Test
    void shouldResumeAPartitionFromTheFurthestOffsetAnotherExpertGroupCommitted() {
        // given another group committed offset 1 of this expert's partition (the expert moved here from it)
        othersCommitted = Map.of(PARTITION, 1L);
        deliver(record(0, "old", task("old", 0, 2, gaussian(1, D_MODEL, 12L), weights(1, 8)).build().toByteArray()),
                record(1, "r1", task("r1", 0, 2, gaussian(1, D_MODEL, 13L), weights(1, 9)).build().toByteArray()));

        // when
        thread.start();
        await(() -> producer.history().size() == 1);
        producer.completeNext();

        // then the task the other group already answered is not answered again
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("r1");
        await(() -> committed() != null);
        assertThat(committed().offset()).isEqualTo(2);
    }

    /**
     * Runs the worker on two delivered records, the first to be dead-lettered and the second answered: checks the answer
     * and the commit of both, and returns the dead letter.
     */
    private ProducerRecord<String, byte[]> deadLetterThenAnswer(String answered) throws Exception {
        thread.start();
        await(() -> producer.history().size() == 2);
        producer.completeNext();
        producer.completeNext();
        ProducerRecord<String, byte[]> letter = producer.history().get(0);
        assertThat(letter.topic()).isEqualTo(TOPICS.deadLetters());
        ProducerRecord<String, byte[]> result = producer.history().get(1);
        assertThat(result.topic()).isEqualTo(REPLY);
        assertThat(Reply.parseFrom(result.value()).getResult().getRequestId()).isEqualTo(answered);
        await(() -> committed() != null);
        assertThat(committed().offset()).isEqualTo(2);
        return letter;
    }

    /** On the worker's first poll: join the group with the partition, then find these records on it. */
    @SafeVarargs
    private void deliver(ConsumerRecord<String, byte[]>... records) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(Set.of(PARTITION));
            for (ConsumerRecord<String, byte[]> record : records) {
                consumer.addRecord(record);
            }
        });
    }

    private static ConsumerRecord<String, byte[]> record(long offset, String key, byte[] value) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), offset, key, value);
        record.headers().add(Topics.REPLY_TO_HEADER, REPLY.getBytes(UTF_8));
        return record;
    }

    private OffsetAndMetadata committed() {
        return consumer.committed(Set.of(PARTITION)).get(PARTITION);
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), UTF_8);
    }

    /** Waits, in short polls, for the worker thread to reach a state the test can observe. */
    private static void await(BooleanSupplier condition) {
        Awaitility.await().atMost(DEADLINE).pollInterval(Duration.ofMillis(5)).until(condition::getAsBoolean);
    }
}
