package io.moestream.expert.worker;

import io.moestream.core.tensor.Matrix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * One consumer of an expert group on its own thread, subscribed to the topics of every expert of the group: poll,
 * gather tasks for up to {@code maxWait} or until one expert has a full micro-batch, run each expert's micro-batches
 * on the kernel pool, publish the weighted results, and commit the consumed offsets only after the broker
 * acknowledged every result and dead letter (at-least-once; the gateway drops duplicates). A process runs a few of
 * these however many experts it serves, so threads and idle work do not grow with the experts.
 */
public final class GroupConsumer implements Runnable {
    private static final Logger LOG = Logger.getLogger(GroupConsumer.class);
    /** How long an idle poll blocks; stop() wakes it at once, so this only bounds a missed wake-up. */
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    private final String name;
    private final Map<String, ServedExpert> byTopic = new LinkedHashMap<>();
    private final Consumer<String, byte[]> consumer;
    private final ReplyPublisher replies;
    private final KernelPool kernels;
    private final ResumePoint resume;
    private final int maxBatchRows;
    private final Duration maxWait;
    private volatile boolean running = true;
    private volatile WorkerState state = WorkerState.JOINING;

    GroupConsumer(String name, List<ServedExpert> experts, Consumer<String, byte[]> consumer, ReplyPublisher replies,
                  KernelPool kernels, ResumePoint resume, int maxBatchRows, Duration maxWait) {
        this.name = name;
        experts.forEach(expert -> byTopic.put(expert.topic(), expert));
        this.consumer = consumer;
        this.replies = replies;
        this.kernels = kernels;
        this.resume = resume;
        this.maxBatchRows = maxBatchRows;
        this.maxWait = maxWait;
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
            consumer.subscribe(byTopic.keySet(), new ResumeOnAssignment());
            while (running) {
                ConsumerRecords<String, byte[]> first = poll(IDLE_POLL);
                if (!first.isEmpty()) {
                    long fetchNanos = fetchNanos(first);
                    long start = System.nanoTime();
                    GroupWindow window = gather(first);
                    process(window, fetchNanos, System.nanoTime() - start);
                    commit();
                }
            }
            state = WorkerState.STOPPED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = WorkerState.STOPPED;
        } catch (RuntimeException e) {
            state = WorkerState.FAILED;
            LOG.errorf(e, "%s stopped after an error", name);
        } finally {
            // A static member would otherwise keep its partitions until its session times out; leaving hands them to
            // the other replicas at once. Only a crash (no close) leaves them held for a restart under the same id.
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }

    /** Decodes the first records and keeps polling until one expert's batch is full or {@code maxWait} has passed. */
    private GroupWindow gather(ConsumerRecords<String, byte[]> first) {
        GroupWindow window = new GroupWindow(byTopic, replies);
        window.add(first);
        long deadline = System.nanoTime() + maxWait.toNanos();
        long left = deadline - System.nanoTime();
        while (running && window.fullestRows() < maxBatchRows && left > 0) {
            window.add(poll(Duration.ofNanos(left)));
            left = deadline - System.nanoTime();
        }
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

    /**
     * Every expert's micro-batches go to the kernel pool at once; each expert's results go out as its kernels finish,
     * then every ack is awaited. A result the broker refused is dead-lettered rather than retried forever.
     */
    private void process(GroupWindow window, long fetchNanos, long gatherNanos) throws InterruptedException {
        long start = System.nanoTime();
        Map<ServedExpert, Future<Timed>> computing = new LinkedHashMap<>();
        window.byExpert().forEach((expert, tasks) -> computing.put(expert, kernels.submit(() -> {
            // counted from the submission, so a wait for a kernel thread shows in the kernel stage
            List<Matrix> outputs = expert.compute(tasks.tasks());
            return new Timed(outputs, System.nanoTime() - start);
        })));
        List<Published> published = new ArrayList<>(computing.size());
        for (var entry : computing.entrySet()) {
            Published part = new Published(entry.getKey(), window.byExpert().get(entry.getKey()),
                    await(entry.getValue(), entry.getKey()));
            for (int i = 0; i < part.computed().outputs().size(); i++) {
                part.results().add(replies.result(part.tasks().tasks().get(i), part.computed().outputs().get(i)));
            }
            published.add(part);
        }
        for (Published part : published) {
            part.awaitResults(replies);
        }
        for (Published part : published) {
            for (Future<RecordMetadata> deadLetter : part.deadLetters()) {
                try {
                    deadLetter.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the dead-letter topic cannot be written; stopping rather than lose"
                            + " tasks", e.getCause());
                }
            }
        }
        long nanos = System.nanoTime() - start;
        for (Published part : published) {
            ExpertMetrics metrics = part.expert().metrics();
            metrics.stage(ExpertMetrics.Stage.FETCH, fetchNanos);
            metrics.stage(ExpertMetrics.Stage.GATHER, gatherNanos);
            metrics.stage(ExpertMetrics.Stage.KERNEL, part.computed().nanos());
            metrics.stage(ExpertMetrics.Stage.PUBLISH, nanos - part.computed().nanos());
            metrics.window(part.tasks().rows(), nanos, part.deadLetters().size());
        }
    }

    /**
     * One expert's part of a window: its tasks, its computed outputs, the sends of its results, and its dead letters:
     * those of its invalid tasks, then of the results the broker refused.
     */
    private record Published(ServedExpert expert, TaskWindow tasks, Timed computed, List<Future<RecordMetadata>> results,
                             List<Future<RecordMetadata>> deadLetters) {
        Published(ServedExpert expert, TaskWindow tasks, Timed computed) {
            this(expert, tasks, computed, new ArrayList<>(), new ArrayList<>(tasks.deadLetters()));
        }

        /** Waits for every result's ack; a result the broker refused is dead-lettered rather than retried forever. */
        void awaitResults(ReplyPublisher replies) throws InterruptedException {
            for (int i = 0; i < results.size(); i++) {
                try {
                    results.get(i).get();
                } catch (ExecutionException e) {
                    // the producer has already retried for delivery.timeout.ms: keep the task for replay instead of blocking
                    deadLetters.add(replies.deadLetter(tasks.source(i),
                            "could not publish the result to " + tasks.tasks().get(i).replyTo() + ": " + e.getCause()));
                }
            }
        }
    }

    private static Timed await(Future<Timed> computing, ServedExpert expert) throws InterruptedException {
        try {
            return computing.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the kernel of expert " + expert.id() + " failed", e.getCause());
        }
    }

    /** One expert's outputs of a window and the time its kernel calls took (with any wait for a kernel thread). */
    private record Timed(List<Matrix> outputs, long nanos) {
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
            LOG.warnf("%s lost partitions before committing; their tasks will be answered again (%s)", name, e.getMessage());
        }
    }

    /**
     * On every assignment, resumes the new partitions from the furthest offset any expert group committed (an expert
     * moved here from another group continues where that group stopped); marks the consumer serving on the first one.
     */
    private final class ResumeOnAssignment implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            resume.seek(consumer, partitions, name);
            if (state == WorkerState.JOINING) {
                state = WorkerState.SERVING;
                LOG.infof("%s serving: %d partition(s) of %d expert topic(s)", name, partitions.size(), byTopic.size());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // nothing to hand over: a window in hand is still answered, and if its commit then fails the new
            // owner answers those tasks again; the gateway drops the duplicates
        }
    }
}
