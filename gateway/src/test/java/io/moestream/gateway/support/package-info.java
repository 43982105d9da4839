/** Test helpers: an Infer client call that records what comes back, and chunk builders. */
package io.moestream.gateway.support;
