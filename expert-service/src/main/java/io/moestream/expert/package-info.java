/** The expert service: answers the expert tasks of its configured experts with gate-weighted FFN outputs. */
package io.moestream.expert;
