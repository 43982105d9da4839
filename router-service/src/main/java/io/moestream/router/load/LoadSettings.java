package io.moestream.router.load;

import java.time.Duration;

/**
 * How the load sub-topology windows and alerts.
 *
 * @param window                 length of the tumbling windows the expert load is counted in
 * @param balancednessThreshold  a window whose balancedness (mean / max expert load) is under this counts as imbalanced
 * @param alertWindows           consecutive imbalanced windows that open an alert; the first balanced one resolves it
 */
public record LoadSettings(Duration window, double balancednessThreshold, int alertWindows) {

    public LoadSettings {
        if (window == null || window.toMillis() < 1) {
            throw new IllegalArgumentException("moe.load.window must be at least 1 ms, got " + window);
        }
        if (!(balancednessThreshold > 0 && balancednessThreshold <= 1)) {
            throw new IllegalArgumentException("moe.load.balancedness-threshold must be in (0, 1], got " + balancednessThreshold);
        }
        if (alertWindows < 1) {
            throw new IllegalArgumentException("moe.load.alert-windows must be at least 1, got " + alertWindows);
        }
    }
}
