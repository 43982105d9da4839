/** Framework-free routing of one chunk: decode, validate, score, pick experts, build the outgoing records. */
package io.moestream.router.routing;
