/** Readiness of the expert workers for the launcher and Kubernetes. */
package io.moestream.expert.health;
