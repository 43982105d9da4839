/** Which (layer, expert) pairs this process's expert group serves, parsed from {@code moe.expert.experts}. */
package io.moestream.expert.selection;
