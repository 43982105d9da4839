package io.moestream.expert.worker;

import io.moestream.core.tensor.Matrix;
import io.moestream.expert.batching.MicroBatcher;
import io.moestream.expert.task.DecodedTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The loop of one expert on its own thread: poll, gather tasks for up to {@code maxWait} or until the batch is
 * full, run the kernel once per micro-batch, publish the weighted results, and commit the consumed offsets
 * only after the broker acknowledged every result and dead letter (at-least-once; the gateway drops duplicates).
 */
public final class ExpertWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(ExpertWorker.class);
    /** How long an idle poll blocks; stop() wakes it at once, so this only bounds a missed wake-up. */
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    private final ServedExpert expert;
    private final Consumer<String, byte[]> consumer;
    private final ReplyPublisher replies;
    private final MicroBatcher batcher;
    private final Duration maxWait;
    private final ExpertMetrics metrics;
    private volatile boolean running = true;
    private volatile WorkerState state = WorkerState.JOINING;

    public ExpertWorker(ServedExpert expert, Consumer<String, byte[]> consumer, ReplyPublisher replies, MicroBatcher batcher,
                        Duration maxWait, ExpertMetrics metrics) {
        this.expert = expert;
        this.metrics = metrics;
        this.consumer = consumer;
        this.replies = replies;
        this.batcher = batcher;
        this.maxWait = maxWait;
    }

    public ServedExpert expert() {
        return expert;
    }

    public WorkerState state() {
        return state;
    }

    /** Asks the loop to finish its current window and close the consumer; returns at once. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(expert.topic()), new JoinListener());
            while (running) {
                ConsumerRecords<String, byte[]> first = poll(IDLE_POLL);
                if (!first.isEmpty()) {
                    metrics.stage(ExpertMetrics.Stage.FETCH, fetchNanos(first));
                    process(gather(first));
                    commit();
                }
            }
            state = WorkerState.STOPPED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = WorkerState.STOPPED;
        } catch (RuntimeException e) {
            state = WorkerState.FAILED;
            LOG.errorf(e, "expert %s stopped after an error", expert.id());
        } finally {
            // A static member would otherwise keep its partitions until its session times out; leaving hands them to
            // the other replicas at once. Only a crash (no close) leaves them held for a restart under the same id.
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }

    /** Decodes the first records and keeps polling until the batch is full or {@code maxWait} has passed. */
    private TaskWindow gather(ConsumerRecords<String, byte[]> first) {
        long start = System.nanoTime();
        TaskWindow window = new TaskWindow(expert.decoder(), replies);
        window.add(first);
        long deadline = start + maxWait.toNanos();
        long left = deadline - System.nanoTime();
        while (running && window.rows() < batcher.maxBatchRows() && left > 0) {
            window.add(poll(Duration.ofNanos(left)));
            left = deadline - System.nanoTime();
        }
        metrics.stage(ExpertMetrics.Stage.GATHER, System.nanoTime() - start);
        return window;
    }

    /** Time since the oldest of {@code records} was stamped (the router's send, or the broker's append). */
    private static long fetchNanos(ConsumerRecords<String, byte[]> records) {
        long oldest = Long.MAX_VALUE;
        for (var record : records) {
            oldest = Math.min(oldest, record.timestamp());
        }
        return TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - oldest);
    }

    /** One kernel call per micro-batch; results go out as each batch finishes, then every ack is awaited. */
    private void process(TaskWindow window) throws InterruptedException {
        long start = System.nanoTime();
        List<DecodedTask> tasks = window.tasks();
        List<Future<RecordMetadata>> results = new ArrayList<>(tasks.size());
        long kernelNanos = 0;
        for (List<DecodedTask> batch : batcher.batches(tasks)) {
            long kernelStart = System.nanoTime();
            List<Matrix> outputs = batcher.forward(batch, expert.kernel());
            kernelNanos += System.nanoTime() - kernelStart;
            // batches keep the tasks' order, so the next output always belongs to task number results.size()
            for (Matrix weighted : outputs) {
                results.add(replies.result(tasks.get(results.size()), weighted));
            }
        }
        metrics.stage(ExpertMetrics.Stage.KERNEL, kernelNanos);
        List<Future<RecordMetadata>> deadLetters = new ArrayList<>(window.deadLetters());
        for (int i = 0; i < results.size(); i++) {
            try {
                results.get(i).get();
            } catch (ExecutionException e) {
                // the producer has already retried for delivery.timeout.ms: keep the task for replay instead of blocking
                deadLetters.add(replies.deadLetter(window.source(i),
                        "could not publish the result to " + tasks.get(i).replyTo() + ": " + e.getCause()));
            }
        }
        for (Future<RecordMetadata> deadLetter : deadLetters) {
            try {
                deadLetter.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the dead-letter topic cannot be written; stopping rather than lose tasks",
                        e.getCause());
            }
        }
        long end = System.nanoTime();
        metrics.stage(ExpertMetrics.Stage.PUBLISH, end - start - kernelNanos);
        metrics.window(tasks.stream().mapToInt(DecodedTask::rowCount).sum(), end - start, deadLetters.size());
    }

    private ConsumerRecords<String, byte[]> poll(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (WakeupException e) {
            // stop() woke the consumer: end this poll, keep what is already in hand
            return ConsumerRecords.empty();
        }
    }

    private void commit() {
        try {
            consumer.commitSync();
        } catch (WakeupException e) {
            // stop() arrived during the commit; the wake-up is spent, so the second attempt runs to completion
            consumer.commitSync();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            LOG.warnf("expert %s lost partitions before committing; their tasks will be answered again (%s)",
                    expert.id(), e.getMessage());
        }
    }

    /** Marks the worker serving once it is in its group; logs the first assignment only. */
    private final class JoinListener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (state == WorkerState.JOINING) {
                state = WorkerState.SERVING;
                LOG.infof("expert %s serving: topic %s, partitions %s", expert.id(), expert.topic(),
                        partitions.stream().map(TopicPartition::partition).sorted().toList());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // nothing to hand over: a window in hand is still answered, and if its commit then fails the new
            // owner answers those tasks again; the gateway drops the duplicates
        }
    }
}
