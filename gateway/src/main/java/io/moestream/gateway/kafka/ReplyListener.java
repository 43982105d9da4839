package io.moestream.gateway.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.moestream.gateway.reassembly.ReplyDispatcher;
import io.moestream.proto.v1.Reply;
import io.quarkus.runtime.Quarkus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Reads this gateway's reply topic on a thread of its own and hands each reply to the dispatcher. It assigns itself
 * every partition (no consumer group: no other instance reads this topic) and starts at the end, since replies
 * written before this start belong to chunks nobody waits for.
 */
public final class ReplyListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReplyListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    private final Consumer<String, byte[]> consumer;
    private final ReplyDispatcher dispatcher;
    private final List<TopicPartition> partitions;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running;

    public ReplyListener(Consumer<String, byte[]> consumer, ReplyDispatcher dispatcher, String topic, int partitionCount) {
        this.consumer = consumer;
        this.dispatcher = dispatcher;
        this.partitions = IntStream.range(0, partitionCount).mapToObj(p -> new TopicPartition(topic, p)).toList();
        this.thread = new Thread(this::run, "gateway-replies");
        this.thread.setDaemon(true);
    }

    public void start() {
        running = true;
        thread.start();
    }

    /** Waits until the listener holds its partitions at their end offsets; true when it does. */
    public boolean awaitAssignment(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while the listener holds its partitions and reads them. */
    public boolean isListening() {
        return running && assigned.getCount() == 0;
    }

    private void run() {
        try {
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // position() resolves the lazy seek now, so nothing written after this point is skipped.
            partitions.forEach(consumer::position);
            assigned.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            LOG.debug("reply listener woken up to stop");
        } catch (RuntimeException | Error e) {
            // Without its listener the gateway can answer no stream; exiting lets the supervisor (./moe up or the
            // Deployment) restart it, where staying up would leave every stream to run into its deadline.
            LOG.errorf(e, "reply listener on %s stopped; the gateway exits so that it is restarted", partitions);
            Quarkus.asyncExit(1);
        } finally {
            running = false;
            consumer.close();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        Reply reply;
        try {
            reply = Reply.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            dispatcher.onUnreadable("record at " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + " is not a Reply: " + e.getMessage());
            return;
        }
        // One reply that a stream fails on must not stop the replies of every other stream.
        try {
            dispatcher.onReply(reply);
        } catch (RuntimeException e) {
            LOG.errorf(e, "reply at %s-%d@%d could not be applied", record.topic(), record.partition(), record.offset());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(Duration.ofSeconds(10).toMillis());
    }
}
