/** Test helpers: task builders, a counting kernel and a real Kafka broker for the integration test. */
package io.moestream.expert.testing;
