/** The Kafka Streams topology that runs the chunk router, and the CDI producer that exposes it to Quarkus. */
package io.moestream.router.topology;
