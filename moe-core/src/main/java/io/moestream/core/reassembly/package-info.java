/** Reassembly of a chunk's layer output from its route manifest and the gate-weighted expert results (the gateway's and the replay diff's). */
package io.moestream.core.reassembly;
