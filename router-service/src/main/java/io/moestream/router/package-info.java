/** The router service: turns token chunks into expert tasks and route manifests on Kafka. */
package io.moestream.router;
