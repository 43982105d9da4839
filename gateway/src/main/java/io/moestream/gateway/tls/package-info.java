/** TLS for the gateway's gRPC server from the Quarkus TLS registry. */
package io.moestream.gateway.tls;
