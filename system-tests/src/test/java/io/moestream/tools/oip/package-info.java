/** The Open Inference Protocol as a stock client sees it: a Node.js gRPC client against the real stack. */
package io.moestream.tools.oip;
