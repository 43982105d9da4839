/** Integration tests of the packaged router against a real broker. */
package io.moestream.router.it;
