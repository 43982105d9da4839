/**
 * {@code moe k8s}: the Kubernetes manifests of a model (kustomize base and overlays), rendered from the one
 * template set in the repository's {@code k8s/templates}, which the build copies into the tools jar.
 */
package io.moestream.tools.k8s;
