package io.moestream.router.lag;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.moestream.core.placement.ExpertId;
import io.moestream.core.topics.ClientSettings;
import io.moestream.core.topics.OperatorJson;
import io.moestream.core.topics.Topics;
import io.moestream.proto.v1.LoadAlert;
import io.moestream.router.load.LoadListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Every {@code interval}, reads each routed expert's group lag, exports it as {@code moe_expert_lag_records{layer,expert}}
 * and {@code moe_expert_lag_oldest_seconds{layer,expert}}, and writes an EXPERT_STALLED alert to the alerts topic when
 * an expert with lag committed nothing since the previous check (and a resolve record when it moves again).
 */
public final class ExpertLagMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExpertLagMonitor.class);

    private final Topics topics;
    private final SortedSet<Integer> layers;
    private final int experts;
    private final LoadListener listener;
    private final MeterRegistry registry;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> peek;
    private final KafkaProducer<String, byte[]> producer;
    private final StallTracker tracker = new StallTracker();
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "expert-lag-monitor");
        thread.setDaemon(true);
        return thread;
    });

    /** {@code client}: the Kafka client settings (bootstrap servers, security) its admin, consumer and producer use. */
    public ExpertLagMonitor(Map<String, Object> client, Topics topics, SortedSet<Integer> layers, int experts,
                            LoadListener listener, MeterRegistry registry) {
        this.topics = topics;
        this.layers = layers;
        this.experts = experts;
        this.listener = listener;
        this.registry = registry;
        this.admin = Admin.create(ClientSettings.only(AdminClientConfig.configNames(), client));
        Map<String, Object> consumer = ClientSettings.only(ConsumerConfig.configNames(), client);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.peek = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(ClientSettings.only(ProducerConfig.configNames(), client),
                new StringSerializer(), new ByteArraySerializer());
    }

    public void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(this::checkAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("expert lag monitor started: %d layer(s) x %d experts every %d ms", layers.size(), experts,
                interval.toMillis());
    }

    /** One check of every expert; public so that a test can drive the checks itself. */
    public void checkAll() {
        List<ExpertId> all = new ArrayList<>();
        layers.forEach(layer -> IntStream.range(0, experts).forEach(e -> all.add(new ExpertId(layer, e))));
        List<ExpertLag> lags;
        long now = System.currentTimeMillis();
        try {
            lags = new LagReader(admin, peek, topics).readAll(all, now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            LOG.warnf("expert lag not read this time: %s", e.getMessage());
            return;
        }
        for (ExpertLag lag : lags) {
            gauge("moe.expert.lag.records", "Tasks waiting for the expert's group", lag).set(lag.lagRecords());
            gauge("moe.expert.lag.oldest.seconds", "Age of the oldest task waiting for the expert's group", lag)
                    .set(lag.oldestTaskAgeMs() / 1000);
            tracker.next(lag, now).ifPresent(this::publish);
        }
    }

    private void publish(LoadAlert alert) {
        producer.send(new ProducerRecord<>(topics.alerts(), StallTracker.key(alert.getLayer(), alert.getExpert()),
                OperatorJson.encode(alert)));
        listener.alert(alert);
        LOG.infof("alert %s: %s", alert.getState(), alert.getMessage());
    }

    private AtomicLong gauge(String name, String description, ExpertLag lag) {
        return gauges.computeIfAbsent(name + "/" + lag.layer() + "/" + lag.expert(), k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value::get).description(description)
                    .tags("layer", Integer.toString(lag.layer()), "expert", Integer.toString(lag.expert()))
                    .register(registry);
            return value;
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
        peek.close();
        admin.close();
    }
}
