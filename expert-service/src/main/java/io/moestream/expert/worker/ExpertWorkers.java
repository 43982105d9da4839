package io.moestream.expert.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.moestream.core.kernel.Blas;
import io.moestream.core.kernel.ComputeDtype;
import io.moestream.core.kernel.KernelBackend;
import io.moestream.core.model.LayerSelection;
import io.moestream.core.model.MoeModel;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.placement.ExpertRanges;
import io.moestream.core.topics.ClientSettings;
import io.moestream.core.topics.ExpertGroupOffsets;
import io.moestream.core.topics.KnownReplyTopics;
import io.moestream.core.topics.Topics;
import io.moestream.expert.config.ExpertConfig;
import io.moestream.expert.selection.ExpertSelection;
import io.moestream.expert.task.ExpertTaskDecoder;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * Thin CDI shell around one expert group: at start-up, on a thread of its own so that health answers meanwhile, loads
 * the group's experts (several at once, with progress) and starts a few consumers of the group's consumer group, all
 * sharing one producer and one kernel pool; at shutdown wakes and joins them, then releases the clients and kernels.
 * A group that cannot start logs one line naming the expert and why, and the process exits.
 */
@Singleton
public class ExpertWorkers {
    private static final Logger LOG = Logger.getLogger(ExpertWorkers.class);

    private final ExpertConfig config;
    private final Map<String, Object> kafka;
    private final MeterRegistry registry;
    private final ExpertLoader loader = new ExpertLoader();
    // Kafka client metrics (lag, fetch and send rates) on /q/metrics, one binder per client
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    // read by health checks on other threads; published once, after every consumer has started
    private volatile List<GroupConsumer> consumers = List.of();
    private volatile List<ServedExpert> experts = List.of();
    private Thread starter;
    private KernelPool kernels;
    private Producer<String, byte[]> producer;
    private KnownReplyTopics replyTopics;
    private Admin admin;

    ExpertWorkers(ExpertConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                  MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        starter = new Thread(this::startGroup, "expert-group-start");
        starter.start();
    }

    private void startGroup() {
        try {
            Topics topics = new Topics(config.topicPrefix().orElse(""));
            String group = config.expert().group();
            kernels = new KernelPool(concurrentKernels());
            List<ServedExpert> loaded = load(topics);
            producer = new KafkaProducer<>(KafkaClientConfigs.producer(kafka));
            bindMetrics(new KafkaClientMetrics(producer));
            // listed as the producer's principal, which may describe the reply topics it writes
            replyTopics = KnownReplyTopics.connect(kafka, topics);
            admin = Admin.create(ClientSettings.only(AdminClientConfig.configNames(), kafka));
            ResumePoint resume = new ResumePoint(partitions -> ExpertGroupOffsets.furthest(admin, topics, partitions));
            ReplyPublisher replies = new ReplyPublisher(producer, topics, replyTopics);
            List<GroupConsumer> started = new ArrayList<>();
            for (int i = 0; i < config.expert().consumers(); i++) {
                int index = i;
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(kafka,
                        topics.expertGroup(group), config.expert().instanceId().map(id -> id + "-c" + index)));
                bindMetrics(new KafkaClientMetrics(consumer));
                GroupConsumer worker = new GroupConsumer("expert group " + group + " consumer " + i, loaded, consumer,
                        replies, kernels, resume, config.expert().maxBatchRows(), config.expert().maxWait());
                Thread thread = new Thread(worker, "expert-consumer-" + i);
                started.add(worker);
                threads.add(thread);
                thread.start();
            }
            experts = loaded;
            consumers = List.copyOf(started);
            LOG.infof("expert group %s started: %d experts (%s), model %s, %d consumer(s) in %s, batches of up to %d rows"
                            + " within %d ms, %d kernel(s) at once, %s; waiting for partitions",
                    group, loaded.size(), ExpertRanges.format(loaded.stream().map(ServedExpert::id).toList()),
                    config.model().dir(), started.size(), topics.expertGroup(group), config.expert().maxBatchRows(),
                    config.expert().maxWait().toMillis(), kernels.size(), config.expert().instanceId()
                            .map(id -> "static group members " + id + "-c*").orElse("dynamic group members"));
        } catch (RuntimeException | LinkageError e) {
            // one line that says what failed (a native library that cannot load too); the launcher shows it as the
            // reason this process exited
            LOG.errorf("expert group %s cannot start: %s", config.expert().group(), e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        LOG.info("expert stopping");
        if (starter != null) {
            starter.join();
        }
        consumers.forEach(GroupConsumer::stop);
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
        if (admin != null) {
            admin.close();
        }
        if (kernels != null) {
            kernels.close();
        }
        experts.forEach(expert -> expert.kernel().close());
        LOG.info("expert stopped");
    }

    /** The group's consumers in start order; empty until every expert is loaded and the consumers started. */
    public List<GroupConsumer> consumers() {
        return consumers;
    }

    /** Experts loaded so far, and of how many (0 until the selection is known). */
    public int loadedExperts() {
        return loader.loaded();
    }

    public int totalExperts() {
        return loader.total();
    }

    private void bindMetrics(KafkaClientMetrics metrics) {
        metrics.bindTo(registry);
        clientMetrics.add(metrics);
    }

    private List<ServedExpert> load(Topics topics) {
        try (MoeModel model = MoeModel.open(config.model().dir())) {
            List<ExpertId> ids = ExpertSelection.parse(config.expert().experts(),
                    LayerSelection.parse(config.layers(), model.moeLayers()),
                    model.config().servedExperts());
            int dModel = model.config().dModel();
            KernelBackend backend = ComputeDtype.parse(config.expert().computeDtype()).select(model.weightsDtype());
            LOG.infof("expert kernels: %s on %s (compute dtype %s, %s checkpoint)", backend.name(),
                    backend.implementation(), config.expert().computeDtype(), model.weightsDtype());
            Gauge.builder("moe.expert.kernel.backend", () -> 1)
                    .description("The kernel backend the experts compute on (always 1; the tags say which)")
                    .tags("backend", backend.name(), "implementation", backend.implementation()).register(registry);
            return loader.load(model, ids, backend, Runtime.getRuntime().availableProcessors(), loaded -> new ServedExpert(
                    loaded.id(), topics.expert(loaded.id().layer(), loaded.id().expert()), loaded.kernel(),
                    new ExpertTaskDecoder(topics, loaded.id(), dModel, config.maxChunkRows()),
                    config.expert().maxBatchRows(), registry));
        }
    }

    private int concurrentKernels() {
        return config.expert().concurrentKernels()
                .orElse(Math.max(1, Runtime.getRuntime().availableProcessors() / Blas.threads()));
    }
}
