package io.moestream.router.load;

import io.moestream.core.load.LoadStatistics;
import io.moestream.proto.v1.ExpertLoad;
import io.moestream.proto.v1.LoadAlert;
import java.util.Locale;
import java.util.Optional;

/**
 * The imbalance alert of one layer as a state machine over its closed windows: a window under the threshold adds one
 * to a run, a balanced one ends it; a run of {@code alertWindows} opens the alert, the first balanced window after
 * that resolves it. The state is a {@link LoadAlert} ({@code state} OPEN while open, {@code windows} the run).
 */
final class ImbalanceTracker {
    private final LoadSettings settings;

    /** The state to keep and, when the alert opened or resolved with this window, the record to publish. */
    record Step(LoadAlert state, Optional<LoadAlert> alert) {
    }

    ImbalanceTracker(LoadSettings settings) {
        this.settings = settings;
    }

    static String key(int layer) {
        return LoadAlert.Kind.IMBALANCE.name() + "/L" + layer;
    }

    /** @param previous the layer's state after its previous window, or null for its first */
    Step next(LoadAlert previous, ExpertLoad window) {
        boolean open = previous != null && previous.getState() == LoadAlert.State.OPEN;
        boolean under = window.getBalancedness() < settings.balancednessThreshold();
        int run = under ? (previous == null ? 0 : previous.getWindows()) + 1 : 0;
        long[] tokens = ExpertLoads.tokens(window);
        LoadAlert.Builder state = LoadAlert.newBuilder()
                .setKind(LoadAlert.Kind.IMBALANCE)
                .setState(open ? LoadAlert.State.OPEN : LoadAlert.State.RESOLVED)
                .setLayer(window.getLayer())
                .setAtMs(window.getWindowEndMs())
                .setBalancedness(window.getBalancedness())
                .setThreshold(settings.balancednessThreshold())
                .setWindows(run)
                .addAllHotExperts(LoadStatistics.hot(tokens))
                .addAllColdExperts(LoadStatistics.cold(tokens));
        if (under && !open && run >= settings.alertWindows()) {
            LoadAlert opened = state.setState(LoadAlert.State.OPEN).setMessage(String.format(Locale.ROOT,
                    "layer %d: balancedness %.3f under %.3f for %d consecutive windows; hot experts %s, cold experts %s",
                    window.getLayer(), window.getBalancedness(), settings.balancednessThreshold(), run,
                    state.getHotExpertsList(), state.getColdExpertsList())).build();
            return new Step(opened, Optional.of(opened));
        }
        if (!under && open) {
            LoadAlert resolved = state.setState(LoadAlert.State.RESOLVED).setMessage(String.format(Locale.ROOT,
                    "layer %d: balancedness %.3f back at or over %.3f; hot experts %s, cold experts %s",
                    window.getLayer(), window.getBalancedness(), settings.balancednessThreshold(),
                    state.getHotExpertsList(), state.getColdExpertsList())).build();
            return new Step(resolved, Optional.of(resolved));
        }
        return new Step(state.build(), Optional.empty());
    }
}
