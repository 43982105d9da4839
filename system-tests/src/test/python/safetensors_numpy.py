"""Writes a safetensors file from numpy arrays: the format read by moe-stream, written independently of it."""
import json
import struct

import numpy as np

# numpy dtype -> safetensors dtype name, for arrays given without one
DTYPES = {np.dtype(np.float16): "F16", np.dtype(np.float32): "F32"}


def write_safetensors(path, tensors):
    """tensors: name -> array (F16 or F32, named from its dtype) or (array, safetensors dtype name)."""
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        array, dtype = tensor if isinstance(tensor, tuple) else (tensor, DTYPES[tensor.dtype])
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
