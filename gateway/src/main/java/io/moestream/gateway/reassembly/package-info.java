/** Reassembly of a chunk's layer output from its route manifest and the gate-weighted expert results. */
package io.moestream.gateway.reassembly;
