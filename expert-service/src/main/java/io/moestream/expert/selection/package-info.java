/** Which (layer, expert) pairs this process serves, parsed from {@code moe.expert.experts}. */
package io.moestream.expert.selection;
