/** Readiness of the gateway: reply topic, reply listener and producer all in place. */
package io.moestream.gateway.health;
