/** The gateway's side of reassembly: feeding replies to moe-core's Reassembler, deadlines, and the owners of chunks. */
package io.moestream.gateway.reassembly;
