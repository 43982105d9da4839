package io.moestream.router.load;

import io.moestream.core.load.ChunkLoad;
import io.moestream.core.load.LoadStatistics;
import io.moestream.proto.v1.ExpertLoad;

/** Builds {@link ExpertLoad} records: one per chunk, summed per window, then closed with the window and statistics. */
final class ExpertLoads {
    private ExpertLoads() {
    }

    /** One chunk's load, as the summand of a window (no window, no statistics yet). */
    static ExpertLoad ofChunk(ChunkLoad chunk) {
        ExpertLoad.Builder load = ExpertLoad.newBuilder().setLayer(chunk.layer()).setChunks(1).setRows(chunk.rows());
        for (int e = 0; e < chunk.tokens().length; e++) {
            load.addExpertTokens(chunk.tokens()[e])
                    .addExpertGateWeight(chunk.gateWeight()[e])
                    .addExpertProbability(chunk.probability()[e]);
        }
        return load.build();
    }

    /** The empty window a layer's sum starts from. */
    static ExpertLoad empty() {
        return ExpertLoad.getDefaultInstance();
    }

    /** {@code window + chunk}, expert by expert; the window takes the chunk's expert count when it has none yet. */
    static ExpertLoad add(ExpertLoad window, ExpertLoad chunk) {
        int experts = chunk.getExpertTokensCount();
        if (window.getChunks() > 0 && window.getExpertTokensCount() != experts) {
            // the router of one layer has one expert count; a mismatch means a record of another model version
            throw new IllegalStateException("layer " + chunk.getLayer() + ": a chunk with " + experts
                    + " experts does not add to a window of " + window.getExpertTokensCount());
        }
        ExpertLoad.Builder sum = ExpertLoad.newBuilder()
                .setLayer(chunk.getLayer())
                .setChunks(window.getChunks() + chunk.getChunks())
                .setRows(window.getRows() + chunk.getRows());
        boolean first = window.getChunks() == 0;
        for (int e = 0; e < experts; e++) {
            sum.addExpertTokens(chunk.getExpertTokens(e) + (first ? 0 : window.getExpertTokens(e)))
                    .addExpertGateWeight(chunk.getExpertGateWeight(e) + (first ? 0 : window.getExpertGateWeight(e)))
                    .addExpertProbability(chunk.getExpertProbability(e) + (first ? 0 : window.getExpertProbability(e)));
        }
        return sum.build();
    }

    /** The record for {@code moe.expert-load}: the sum with its window and its balancedness measures. */
    static ExpertLoad close(ExpertLoad sum, long windowStartMs, long windowEndMs) {
        long[] tokens = sum.getExpertTokensList().stream().mapToLong(Long::longValue).toArray();
        double[] probability = sum.getExpertProbabilityList().stream().mapToDouble(Double::doubleValue).toArray();
        LoadStatistics stats = LoadStatistics.of(tokens, probability, sum.getRows());
        return sum.toBuilder()
                .setWindowStartMs(windowStartMs)
                .setWindowEndMs(windowEndMs)
                .setBalancedness(stats.balancedness())
                .setMaxOverMean(stats.maxOverMean())
                .setCoefficientOfVariation(stats.coefficientOfVariation())
                .setSwitchAux(stats.switchAux())
                .build();
    }

    /** The expert loads of a record as an array, index = expert id. */
    static long[] tokens(ExpertLoad load) {
        return load.getExpertTokensList().stream().mapToLong(Long::longValue).toArray();
    }
}
