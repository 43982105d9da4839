/** The gRPC Infer endpoint: one stream object per call with validation, publishing, flow control and in-order answers. */
package io.moestream.gateway.api;
