/** Routing policies: from router logits to each row's experts and gate weights. */
package io.moestream.core.routing;
