/** Checks of each incoming InferChunk against the model and the rest of its stream, with messages naming the problem. */
package io.moestream.gateway.validation;
