/** The in-process reference MoE layer that every distributed path is compared against. */
package io.moestream.core.layer;
