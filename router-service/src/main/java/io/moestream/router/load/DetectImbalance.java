package io.moestream.router.load;

import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/** Runs each layer's {@link ImbalanceTracker} over its closed windows, keeping its state in a store; forwards alerts. */
final class DetectImbalance implements Processor<String, ExpertLoad, String, LoadAlert> {
    private static final Logger LOG = Logger.getLogger(DetectImbalance.class);
    private final ImbalanceTracker tracker;
    private final String storeName;
    private ProcessorContext<String, LoadAlert> context;
    private KeyValueStore<String, LoadAlert> states;

    DetectImbalance(LoadSettings settings, String storeName) {
        this.tracker = new ImbalanceTracker(settings);
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, LoadAlert> context) {
        this.context = context;
        this.states = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, ExpertLoad> record) {
        String key = ImbalanceTracker.key(record.value().getLayer());
        ImbalanceTracker.Step step = tracker.next(states.get(key), record.value());
        states.put(key, step.state());
        step.alert().ifPresent(alert -> {
            LOG.infof("alert %s: %s", alert.getState(), alert.getMessage());
            context.forward(new Record<>(key, alert, record.timestamp()));
        });
    }
}
