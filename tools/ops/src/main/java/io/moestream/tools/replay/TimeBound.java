package io.moestream.tools.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One end of a time range as the user writes it: an ISO-8601 instant ({@code 2026-11-23T14:00:00Z}), {@code now},
 * or a duration before now ({@code 15m}, {@code 2h}, {@code 90s}, {@code 1d}, or ISO {@code PT15M}).
 */
public final class TimeBound {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private TimeBound() {
    }

    public static Instant parse(String text, Instant now) {
        String t = text.trim();
        if (t.equals("now")) {
            return now;
        }
        Matcher m = SHORT_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration ago = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(ago);
        }
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return now.minus(Duration.parse(t));
            }
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("cannot read the time '" + text + "': use an ISO instant such as "
                    + "2026-11-23T14:00:00Z, now, or a duration before now such as 15m, 2h, 90s or PT15M");
        }
    }
}
