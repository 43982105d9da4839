/** Dense float matrices and their little-endian byte codecs (FP32, FP16, BF16) for protobuf tensors. */
package io.moestream.core.tensor;
