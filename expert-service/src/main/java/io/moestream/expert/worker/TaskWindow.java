package io.moestream.expert.worker;

import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.WireHeaders;
import io.moestream.expert.task.DecodeResult;
import io.moestream.expert.task.ExpertTaskDecoder;
import io.moestream.expert.task.DecodedTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The records of one batching window, decoded as they are polled: valid tasks (with the record each came from,
 * index for index) and the dead letters already sent for the invalid ones and for those whose reply topic does not
 * exist.
 */
final class TaskWindow {
    private final ExpertTaskDecoder decoder;
    private final ReplyPublisher replies;
    private final List<DecodedTask> tasks = new ArrayList<>();
    private final List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>();
    private final List<Future<RecordMetadata>> deadLetters = new ArrayList<>();
    private int rows;

    TaskWindow(ExpertTaskDecoder decoder, ReplyPublisher replies) {
        this.decoder = decoder;
        this.replies = replies;
    }

    void add(Iterable<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            DecodeResult result = decoder.decode(record.value(), WireHeaders.replyTo(record.headers()));
            if (result instanceof DecodeResult.Valid valid && !replies.canReach(valid.task(), record.timestamp())) {
                deadLetters.add(replies.deadLetter(record, KnownReplyTopics.missing(valid.task().replyTo())));
            } else if (result instanceof DecodeResult.Valid valid) {
                tasks.add(valid.task());
                sources.add(record);
                rows += valid.task().rowCount();
            } else if (result instanceof DecodeResult.Invalid invalid) {
                deadLetters.add(replies.deadLetter(record, invalid.reason()));
            }
        }
    }

    int rows() {
        return rows;
    }

    List<DecodedTask> tasks() {
        return tasks;
    }

    /** The record that task {@code i} was decoded from. */
    ConsumerRecord<String, byte[]> source(int i) {
        return sources.get(i);
    }

    List<Future<RecordMetadata>> deadLetters() {
        return deadLetters;
    }
}
