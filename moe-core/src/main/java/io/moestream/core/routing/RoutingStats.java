package io.moestream.core.routing;

/**
 * What the routing options did to one chunk's assignments (a row's slot for one expert).
 *
 * @param requested assignments the routing mode chose before the threshold and the capacity limit
 * @param skipped   assignments taken away by the confidence threshold (SEER-MoE top-k reduction)
 * @param dropped   assignments taken away because the expert was full (policy {@code drop}, or {@code reroute}
 *                  finding no expert with room)
 * @param rerouted  assignments moved to the next-best expert with room (policy {@code reroute})
 */
public record RoutingStats(int requested, int skipped, int dropped, int rerouted) {

    /** Nothing taken away or moved. */
    public static RoutingStats none(int requested) {
        return new RoutingStats(requested, 0, 0, 0);
    }
}
