/** The per-expert consumer threads, the shared reply producer, and their start-up and shutdown. */
package io.moestream.expert.worker;
