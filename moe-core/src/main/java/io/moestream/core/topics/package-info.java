/** Kafka topic names and header keys shared by the services, tools and manifests. */
package io.moestream.core.topics;
