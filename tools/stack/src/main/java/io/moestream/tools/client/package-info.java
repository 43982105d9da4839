/** A gRPC client of the gateway's streaming {@code moe.v1} API. */
package io.moestream.tools.client;
