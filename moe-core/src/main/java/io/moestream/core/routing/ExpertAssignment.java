package io.moestream.core.routing;

/** The rows of a chunk routed to one expert (rows ascending) and their gate weights. */
public record ExpertAssignment(int expert, int[] rowIndex, float[] gateWeights) {
}
