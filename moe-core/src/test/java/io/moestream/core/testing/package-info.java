/** Shared test helpers: seeded random tensors, tolerances and a naive MoE composition. */
package io.moestream.core.testing;
