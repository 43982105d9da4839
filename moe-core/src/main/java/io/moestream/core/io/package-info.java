/** Model and array files: NumPy .npy arrays and (sharded) safetensors checkpoints, the latter memory-mapped. */
package io.moestream.core.io;
