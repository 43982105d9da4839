/** Integration tests of the packaged expert service against a real broker. */
package io.moestream.expert.it;
