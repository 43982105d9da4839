/** Tests of {@code ./moe replay}: offsets, file format, header rewrite and pacing as units, the whole on a broker. */
package io.moestream.tools.replay;
