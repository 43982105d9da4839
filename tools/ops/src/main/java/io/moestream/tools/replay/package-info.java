/** {@code ./moe replay}: read a range of the pipeline's topics, replay it paced into a target, diff the answers. */
package io.moestream.tools.replay;
