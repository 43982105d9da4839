/** Kafka topic names and header keys shared by the services, tools and manifests, and the creation of those topics. */
package io.moestream.core.topics;
