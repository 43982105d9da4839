/** JMH benchmarks of the kernels and codecs: {@code ./moe bench --jmh -- [JMH options]}. */
package io.moestream.tools.bench.jmh;
