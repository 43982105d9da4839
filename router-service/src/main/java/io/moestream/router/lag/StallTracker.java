package io.moestream.router.lag;

import io.moestream.core.placement.ExpertId;
import io.moestream.proto.v1.LoadAlert;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, check by check, when an expert is stalled: it has lag and its committed offsets did not move since the
 * previous check. The alert opens on the first such check and resolves on the first check where the expert moved or
 * has no lag. Not thread-safe: one monitor thread calls it.
 */
final class StallTracker {
    private final Map<Long, ExpertLag> previous = new HashMap<>();
    private final Map<Long, Boolean> open = new HashMap<>();

    static String key(int layer, int expert) {
        return LoadAlert.Kind.EXPERT_STALLED.name() + "/" + new ExpertId(layer, expert).name();
    }

    Optional<LoadAlert> next(ExpertLag now, long atMs) {
        long id = ((long) now.layer() << 32) | now.expert();
        ExpertLag before = previous.put(id, now);
        boolean wasOpen = open.getOrDefault(id, false);
        boolean stalled = before != null && now.lagRecords() > 0 && now.committed() == before.committed();
        if (stalled == wasOpen) {
            return Optional.empty();
        }
        open.put(id, stalled);
        String name = new ExpertId(now.layer(), now.expert()).name();
        String message = stalled
                ? String.format(Locale.ROOT, "expert %s stalled: %d tasks waiting, the oldest %d ms old, no commit since the previous check",
                        name, now.lagRecords(), now.oldestTaskAgeMs())
                : String.format(Locale.ROOT, "expert %s moving again: %d tasks waiting", name, now.lagRecords());
        return Optional.of(LoadAlert.newBuilder()
                .setKind(LoadAlert.Kind.EXPERT_STALLED)
                .setState(stalled ? LoadAlert.State.OPEN : LoadAlert.State.RESOLVED)
                .setLayer(now.layer())
                .setExpert(now.expert())
                .setAtMs(atMs)
                .setLagRecords(now.lagRecords())
                .setOldestTaskAgeMs(now.oldestTaskAgeMs())
                .setMessage(message)
                .build());
    }
}
