package io.moestream.expert.worker;

import io.moestream.core.kernel.Blas;
import io.moestream.core.kernel.ExpertKernel;
import io.moestream.core.kernel.OpenBlasSwiGluExpert;
import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeModel;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.expert.batching.MicroBatcher;
import io.moestream.expert.config.ExpertConfig;
import io.moestream.expert.selection.ExpertId;
import io.moestream.expert.selection.ExpertSelection;
import io.moestream.expert.task.ExpertTaskDecoder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * Thin CDI shell around the workers: at start-up loads every selected expert's weights once and starts one
 * consumer thread per expert, all sharing one producer; at shutdown wakes and joins them, then releases the
 * producer and the kernels.
 */
@Singleton
public class ExpertWorkers {
    private static final Logger LOG = Logger.getLogger(ExpertWorkers.class);

    private final ExpertConfig config;
    private final Map<String, Object> kafka;
    private final MeterRegistry registry;
    // Kafka client metrics (lag, fetch and send rates) on /q/metrics, one binder per client
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    // read by health checks on other threads; published once, after every worker has started
    private volatile List<ExpertWorker> workers = List.of();
    private Producer<String, byte[]> producer;
    private KnownReplyTopics replyTopics;

    ExpertWorkers(ExpertConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                  MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        Topics topics = new Topics(config.topicPrefix().orElse(""));
        int kernels = concurrentKernels();
        List<ServedExpert> experts = load(topics, new Semaphore(kernels));
        producer = new KafkaProducer<>(KafkaClientConfigs.producer(kafka));
        bindMetrics(new KafkaClientMetrics(producer));
        // listed as the producer's principal, which may describe the reply topics it writes
        replyTopics = KnownReplyTopics.connect(kafka, topics);
        ReplyPublisher replies = new ReplyPublisher(producer, topics, replyTopics);
        List<ExpertWorker> started = new ArrayList<>(experts.size());
        for (ServedExpert expert : experts) {
            ExpertMetrics metrics = ExpertMetrics.register(registry, expert.id());
            // how well tasks of different chunks and requests merge: the rows of every kernel call, per expert
            MicroBatcher batcher = new MicroBatcher(config.expert().maxBatchRows(), metrics::batch);
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(kafka,
                    topics.expertGroup(expert.id().layer(), expert.id().expert()),
                    config.expert().instanceId().map(id -> id + "-L" + expert.id().layer() + "-e" + expert.id().expert())));
            bindMetrics(new KafkaClientMetrics(consumer));
            ExpertWorker worker = new ExpertWorker(expert, consumer, replies, batcher, config.expert().maxWait(), metrics);
            Thread thread = new Thread(worker, "expert-" + expert.id().layer() + "-" + expert.id().expert());
            started.add(worker);
            threads.add(thread);
            thread.start();
        }
        workers = List.copyOf(started);
        LOG.infof("expert started: model %s, experts %s, batches of up to %d rows within %d ms, %d kernel(s) at once, %s;"
                        + " waiting for partitions",
                config.model().dir(), experts.stream().map(ServedExpert::id).toList(), config.expert().maxBatchRows(),
                config.expert().maxWait().toMillis(), kernels, config.expert().instanceId()
                        .map(id -> "static group member " + id).orElse("dynamic group members"));
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        LOG.info("expert stopping");
        workers.forEach(ExpertWorker::stop);
        for (Thread thread : threads) {
            thread.join();
        }
        clientMetrics.forEach(KafkaClientMetrics::close);
        if (producer != null) {
            producer.close();
        }
        if (replyTopics != null) {
            replyTopics.close();
        }
        workers.forEach(worker -> worker.expert().kernel().close());
        LOG.info("expert stopped");
    }

    /** The workers in start order; empty before start-up. */
    public List<ExpertWorker> workers() {
        return workers;
    }

    private void bindMetrics(KafkaClientMetrics metrics) {
        metrics.bindTo(registry);
        clientMetrics.add(metrics);
    }

    private List<ServedExpert> load(Topics topics, Semaphore cores) {
        try (MoeModel model = MoeModel.open(config.model().dir())) {
            List<ExpertId> ids = ExpertSelection.parse(config.expert().experts(),
                    LayerSelection.parse(config.layers(), model.moeLayers()),
                    model.config().servedExperts());
            int dModel = model.config().dModel();
            List<ServedExpert> experts = new ArrayList<>(ids.size());
            for (ExpertId id : ids) {
                // off-heap weights, loaded once; the model's own copy is released when it closes
                ExpertKernel kernel = new CoreLimitedKernel(
                        new OpenBlasSwiGluExpert(model.expert(id.layer(), id.expert())), cores);
                experts.add(new ServedExpert(id, topics.expert(id.layer(), id.expert()), kernel,
                        new ExpertTaskDecoder(topics, id, dModel, config.maxChunkRows())));
            }
            return experts;
        }
    }

    private int concurrentKernels() {
        int kernels = config.expert().concurrentKernels()
                .orElse(Math.max(1, Runtime.getRuntime().availableProcessors() / Blas.threads()));
        if (kernels < 1) {
            throw new IllegalArgumentException("moe.expert.concurrent-kernels must be at least 1, got " + kernels);
        }
        return kernels;
    }
}
