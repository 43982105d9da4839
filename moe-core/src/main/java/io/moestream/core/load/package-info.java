/** Expert-load statistics of MoE routing: a chunk's load, balancedness measures, hot/cold experts, replica planning. */
package io.moestream.core.load;
