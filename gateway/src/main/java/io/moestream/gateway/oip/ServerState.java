package io.moestream.gateway.oip;

import java.util.function.BooleanSupplier;

/**
 * What ServerMetadata and the readiness calls report.
 *
 * @param version the gateway's version
 * @param ready   whether the gateway can serve now (its readiness check)
 */
public record ServerState(String version, BooleanSupplier ready) {
}
