/** Integration tests of the router against a real broker: the packaged app, and the load sub-topology. */
package io.moestream.router.it;
