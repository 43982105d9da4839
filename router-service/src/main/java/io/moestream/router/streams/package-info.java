/** Kafka Streams runtime hooks: error handlers and the lifecycle log. */
package io.moestream.router.streams;
