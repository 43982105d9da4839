/** Integration tests: the packaged gateway against a real Kafka broker, with the test playing router and experts. */
package io.moestream.gateway.it;
