/** The {@code moe} command line: model generator, local stack, client and demo. */
package io.moestream.tools;
