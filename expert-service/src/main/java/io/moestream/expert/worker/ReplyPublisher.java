package io.moestream.expert.worker;

import io.moestream.core.tensor.Matrix;
import io.moestream.core.tensor.TensorMessages;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.core.topics.WireHeaders;
import io.moestream.expert.task.DecodedTask;
import io.moestream.proto.v1.ExpertResult;
import io.moestream.proto.v1.Reply;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes what the workers produce through the process's one producer: results to reply topics, rejects to the DLQ; and
 * says whether a task's reply topic exists, since a send to a missing one would block the worker for
 * {@code max.block.ms}.
 */
public final class ReplyPublisher {
    private final Producer<String, byte[]> producer;
    private final String deadLetterTopic;
    private final KnownReplyTopics replyTopics;

    public ReplyPublisher(Producer<String, byte[]> producer, Topics topics, KnownReplyTopics replyTopics) {
        this.producer = producer;
        this.deadLetterTopic = topics.deadLetters();
        this.replyTopics = replyTopics;
    }

    /** Whether the reply topic of {@code task}, from a record written at {@code writtenAtMs}, exists on the broker. */
    public boolean canReach(DecodedTask task, long writtenAtMs) {
        return replyTopics.exists(task.replyTo(), writtenAtMs);
    }

    /**
     * Sends {@code Reply{result}} keyed by request id to the task's reply topic, in the element type the task's rows came
     * in (FP32 where a value would overflow it); the future completes on the broker's ack.
     */
    public Future<RecordMetadata> result(DecodedTask task, Matrix weighted) {
        ExpertResult.Builder result = ExpertResult.newBuilder()
                .setRequestId(task.requestId())
                .setSeq(task.seq())
                .setLayer(task.layer())
                .setExpert(task.expert())
                .setWeighted(TensorMessages.toWire(weighted, task.wireDtype()));
        for (int row : task.rowIndex()) {
            result.addRowIndex(row);
        }
        byte[] value = Reply.newBuilder().setResult(result).build().toByteArray();
        return producer.send(new ProducerRecord<>(task.replyTo(), task.requestId(), value));
    }

    /** Sends the record as it arrived to the dead-letter topic, with the reason and its source topic in headers. */
    public Future<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        return producer.send(new ProducerRecord<>(deadLetterTopic, null, record.key(), record.value(),
                WireHeaders.deadLetter(record.headers(), reason, record.topic())));
    }
}
