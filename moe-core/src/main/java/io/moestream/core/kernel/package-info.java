/** Expert FFN kernels behind one interface (OpenBLAS and a naive reference) and the router's gate product. */
package io.moestream.core.kernel;
