package io.moestream.core.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * How evenly one layer's experts were loaded in one window, from the rows each was assigned.
 *
 * @param balancedness           mean / max of the expert loads: 1.0 is even, {@code 1/n} is all on one expert
 * @param maxOverMean            max / mean, the inverse of balancedness
 * @param coefficientOfVariation population standard deviation / mean
 * @param switchAux              Switch Transformer's auxiliary statistic {@code N · Σ f_i · P_i}, {@code f_i} the
 *                               expert's share of the assignments, {@code P_i} its mean router probability per row;
 *                               1.0 when both are uniform, up to N when one expert takes everything
 */
public record LoadStatistics(double balancedness, double maxOverMean, double coefficientOfVariation, double switchAux) {

    /** Over 1.5x the mean load: a hot expert. */
    public static final double HOT_FACTOR = 1.5;
    /** Under 0.5x the mean load: a cold expert. */
    public static final double COLD_FACTOR = 0.5;

    /**
     * @param tokens      rows assigned to each expert
     * @param probability summed router probability of each expert over the window's rows
     * @param rows        rows routed in the window
     * @return the statistics, or all 0 when no row was assigned (an idle window says nothing about balance)
     */
    public static LoadStatistics of(long[] tokens, double[] probability, long rows) {
        int n = tokens.length;
        long total = 0;
        long max = 0;
        for (long t : tokens) {
            total += t;
            max = Math.max(max, t);
        }
        if (total == 0 || n == 0) {
            return new LoadStatistics(0, 0, 0, 0);
        }
        double mean = (double) total / n;
        double squares = 0;
        double aux = 0;
        for (int i = 0; i < n; i++) {
            squares += (tokens[i] - mean) * (tokens[i] - mean);
            double f = (double) tokens[i] / total;
            double p = rows == 0 ? 0 : probability[i] / rows;
            aux += f * p;
        }
        return new LoadStatistics(mean / max, max / mean, Math.sqrt(squares / n) / mean, n * aux);
    }

    /** Experts loaded over {@link #HOT_FACTOR} x the mean, hottest first. */
    public static List<Integer> hot(long[] tokens) {
        double mean = mean(tokens);
        return sorted(tokens, i -> tokens[i] > HOT_FACTOR * mean, Comparator.comparingLong((Integer i) -> tokens[i]).reversed());
    }

    /** Experts loaded under {@link #COLD_FACTOR} x the mean, coldest first. */
    public static List<Integer> cold(long[] tokens) {
        double mean = mean(tokens);
        return sorted(tokens, i -> tokens[i] < COLD_FACTOR * mean, Comparator.comparingLong((Integer i) -> tokens[i]));
    }

    private static List<Integer> sorted(long[] tokens, IntPredicate keep, Comparator<Integer> order) {
        List<Integer> experts = new ArrayList<>(IntStream.range(0, tokens.length).filter(keep).boxed().toList());
        experts.sort(order.thenComparing(Comparator.naturalOrder()));
        return experts;
    }

    private static double mean(long[] tokens) {
        long total = 0;
        for (long t : tokens) {
            total += t;
        }
        return tokens.length == 0 ? 0 : (double) total / tokens.length;
    }
}
