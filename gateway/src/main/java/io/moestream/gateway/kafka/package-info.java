/** The gateway's Kafka side: its reply topic, the token-chunk producer and the reply listener. */
package io.moestream.gateway.kafka;
