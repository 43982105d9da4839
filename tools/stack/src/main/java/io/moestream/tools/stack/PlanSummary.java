package io.moestream.tools.stack;

import io.moestream.core.model.MoeConfig;
import io.moestream.core.placement.ExpertFootprint;
import io.moestream.core.placement.ExpertGroup;
import io.moestream.core.placement.PlacementPlan;

/** One line that says what a placement plan runs: groups, processes, and per group its experts and weights. */
public final class PlanSummary {
    private static final int GROUPS_SHOWN = 8;

    private PlanSummary() {
    }

    public static String of(PlacementPlan plan, MoeConfig config) {
        StringBuilder line = new StringBuilder();
        line.append(plan.groups().size()).append(" expert group(s), ").append(plan.processes()).append(" process(es)");
        for (int i = 0; i < Math.min(GROUPS_SHOWN, plan.groups().size()); i++) {
            ExpertGroup group = plan.groups().get(i);
            line.append("; ").append(group.name()).append(": ").append(group.experts().size()).append(" experts ")
                    .append(abbreviated(group.expertSpec())).append(", ")
                    .append(ExpertFootprint.mib(ExpertFootprint.bytes(config, group.experts()))).append(" MiB");
            if (group.replicas() > 1 || group.partitions() > 1) {
                line.append(", ").append(group.replicas()).append(" replica(s), ").append(group.partitions())
                        .append(" partition(s) per topic");
            }
        }
        if (plan.groups().size() > GROUPS_SHOWN) {
            line.append("; ... (").append(plan.groups().size() - GROUPS_SHOWN).append(" more)");
        }
        return line.toString();
    }

    private static String abbreviated(String spec) {
        return spec.length() <= 40 ? spec : spec.substring(0, spec.lastIndexOf(',', 40) + 1) + "...";
    }
}
