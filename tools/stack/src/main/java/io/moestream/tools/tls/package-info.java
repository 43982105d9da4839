/** Certificates for TLS on one machine: a throw-away CA for the local stack and the tests. */
package io.moestream.tools.tls;
