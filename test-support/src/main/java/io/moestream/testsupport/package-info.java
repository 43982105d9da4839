/** Test fixtures shared by the modules: a real Kafka cluster in the test JVM, generated models, the Quarkus test resource. */
package io.moestream.testsupport;
