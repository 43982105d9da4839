/** {@code moe report}: reads the router's expert-load windows and says which experts to prune and which to replicate. */
package io.moestream.tools.report;
