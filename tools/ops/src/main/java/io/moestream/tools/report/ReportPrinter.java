package io.moestream.tools.report;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The human-readable form of a {@code moe report}. */
public final class ReportPrinter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private ReportPrinter() {
    }

    public static void print(LayerReport r, ReportSettings settings, PrintStream out) {
        out.printf(Locale.ROOT, "layer %d: %d windows, %d chunks, %d rows; balancedness over the range %.3f%n",
                r.layer(), r.windows(), r.chunks(), r.rows(), r.balancedness());
        out.println("  expert   tokens   share  mean gate weight  replicas");
        for (LayerReport.ExpertRow e : r.experts()) {
            out.printf(Locale.ROOT, "  %6d %8d  %5.1f%%  %16.3f  %8d%n", e.expert(), e.tokens(), 100 * e.share(),
                    e.meanGateWeight(), r.replicas().perExpert()[e.expert()]);
        }
        out.println("  balancedness over time (UTC)   windows   mean    min     CV   Switch aux");
        for (LayerReport.TimeBucket b : r.overTime()) {
            out.printf(Locale.ROOT, "  %s-%s  %19d  %5.3f  %5.3f  %5.3f  %5.3f%n", TIME.format(Instant.ofEpochMilli(b.fromMs())),
                    TIME.format(Instant.ofEpochMilli(b.toMs())), b.windows(), b.meanBalancedness(), b.minBalancedness(),
                    b.meanCoefficientOfVariation(), b.meanSwitchAux());
        }
        out.printf(Locale.ROOT, "  prune candidates (share under %.1f%%): %s%n", 100 * settings.pruneShare(),
                r.pruneCandidates().isEmpty() ? "none" : r.pruneCandidates());
        if (r.replicas().toAdd().isEmpty()) {
            out.printf(Locale.ROOT, "  replicate: none needed (balancedness %.3f, target %.3f)%n", r.balancedness(),
                    settings.targetBalancedness());
        } else {
            StringBuilder add = new StringBuilder();
            for (int e : r.replicas().toAdd()) {
                add.append(add.length() == 0 ? "" : ", ").append("expert ").append(e).append(" x")
                        .append(r.replicas().perExpert()[e]);
            }
            out.printf(Locale.ROOT, "  replicate: %s -> balancedness %.3f over replicas (target %.3f)%n", add,
                    r.replicas().balancedness(), settings.targetBalancedness());
        }
    }
}
