/** Readiness of the router for the launcher and Kubernetes. */
package io.moestream.router.health;
