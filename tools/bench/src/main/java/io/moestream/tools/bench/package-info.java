/** {@code moe bench}: the machine's limits and the pipeline, measured side by side in one run, as a table and JSON. */
package io.moestream.tools.bench;
