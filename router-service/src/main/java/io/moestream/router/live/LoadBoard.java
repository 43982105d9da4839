package io.moestream.router.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moestream.core.placement.ExpertId;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import io.moestream.router.load.LoadListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the live page shows: the last {@link #WINDOWS} closed windows of each layer this router replica aggregates,
 * and its open alerts. Every change goes to every subscriber as one JSON snapshot, so a page that connects late or
 * misses an event still shows the whole picture.
 */
public final class LoadBoard implements LoadListener {
    /** Windows per layer on the page: with the default 10 s windows, the last five minutes. */
    static final int WINDOWS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Integer, Deque<ExpertLoad>> windows = new TreeMap<>();
    private final Map<String, LoadAlert> openAlerts = new TreeMap<>();
    private final CopyOnWriteArrayList<Consumer<String>> subscribers = new CopyOnWriteArrayList<>();

    @Override
    public void windowClosed(ExpertLoad window) {
        synchronized (this) {
            Deque<ExpertLoad> recent = windows.computeIfAbsent(window.getLayer(), l -> new ArrayDeque<>());
            recent.addLast(window);
            if (recent.size() > WINDOWS) {
                recent.removeFirst();
            }
        }
        publish();
    }

    @Override
    public void alert(LoadAlert alert) {
        synchronized (this) {
            String key = alert.getKind().name() + "/" + (alert.getKind() == LoadAlert.Kind.EXPERT_STALLED
                    ? new ExpertId(alert.getLayer(), alert.getExpert()).name() : "L" + alert.getLayer());
            if (alert.getState() == LoadAlert.State.OPEN) {
                openAlerts.put(key, alert);
            } else {
                openAlerts.remove(key);
            }
        }
        publish();
    }

    /** Sends {@code subscriber} the current snapshot now and every later one until {@link #unsubscribe}. */
    public void subscribe(Consumer<String> subscriber) {
        subscribers.add(subscriber);
        subscriber.accept(snapshot());
    }

    public void unsubscribe(Consumer<String> subscriber) {
        subscribers.remove(subscriber);
    }

    /** {@code {"layers":[{"layer":0,"windows":[{"start":..,"end":..,"balancedness":..,"tokens":[..]}]}],"alerts":[..]}} */
    public synchronized String snapshot() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode layers = root.putArray("layers");
        windows.forEach((layer, recent) -> {
            ObjectNode node = layers.addObject().put("layer", layer);
            ArrayNode list = node.putArray("windows");
            for (ExpertLoad w : recent) {
                ObjectNode window = list.addObject()
                        .put("start", w.getWindowStartMs())
                        .put("end", w.getWindowEndMs())
                        .put("rows", w.getRows())
                        .put("balancedness", w.getBalancedness());
                ArrayNode tokens = window.putArray("tokens");
                w.getExpertTokensList().forEach(tokens::add);
            }
        });
        ArrayNode alerts = root.putArray("alerts");
        openAlerts.values().forEach(a -> alerts.addObject()
                .put("kind", a.getKind().name())
                .put("layer", a.getLayer())
                .put("at", a.getAtMs())
                .put("message", a.getMessage()));
        return root.toString();
    }

    private void publish() {
        if (subscribers.isEmpty()) {
            return;
        }
        String snapshot = snapshot();
        for (Consumer<String> subscriber : subscribers) {
            try {
                subscriber.accept(snapshot);
            } catch (RuntimeException gone) {
                // a page that went away mid-write: forget it, never fail the stream thread that called us
                subscribers.remove(subscriber);
            }
        }
    }
}
