package io.moestream.gateway.oip;

import com.google.protobuf.ByteString;
import java.util.List;

/** One output of a response: OIP datatype, shape and raw little-endian bytes. */
record OutputTensor(String datatype, List<Long> shape, ByteString data) {
}
