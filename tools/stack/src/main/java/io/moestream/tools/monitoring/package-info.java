/** Prometheus and Alertmanager beside the local stack ({@code ./moe up --monitoring}), with the rules of {@code ./moe k8s}. */
package io.moestream.tools.monitoring;
