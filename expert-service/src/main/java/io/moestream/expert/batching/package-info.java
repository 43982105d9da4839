/** Micro-batching: many small tasks become one kernel call, and the output is split back per task. */
package io.moestream.expert.batching;
