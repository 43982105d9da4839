/** {@code ./moe tail}: any pipeline topic's records, one readable line each. */
package io.moestream.tools.tail;
