/** Decoding and validation of incoming expert tasks: a task to compute, or a reason to dead-letter it. */
package io.moestream.expert.task;
