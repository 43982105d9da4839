/** Test helpers: seeded inputs, record builders and a real Kafka broker for the integration test. */
package io.moestream.router.testing;
