/** The local stack: an embedded Kafka broker and the service jars, each as a child process of {@code moe up}. */
package io.moestream.tools.stack;
