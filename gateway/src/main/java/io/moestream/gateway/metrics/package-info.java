/** The gateway's Micrometer meters: chunks in flight, chunk latency, ignored replies. */
package io.moestream.gateway.metrics;
