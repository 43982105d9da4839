"""Writes a small Mixtral-layout checkpoint with numpy alone and computes one MoE layer of it.

An independent implementation for moe-stream's interop test: the checkpoint is sharded
(model.safetensors.index.json over two files), stores the weights as F16, and carries a non-MoE
tensor that the server must ignore. The layer is computed in float64 from the stored (F16) weights,
following Hugging Face's MixtralSparseMoeBlock: softmax over all experts, top-k, renormalise,
y = sum_k w_k * W2 (silu(W1 x) * (W3 x)).

usage: mixtral_layer_numpy.py OUT_DIR   writes OUT_DIR/model/..., OUT_DIR/x.npy, OUT_DIR/expected.npy
"""
import json
import os
import struct
import sys

import numpy as np

LAYERS, EXPERTS, TOP_K, D_MODEL, D_FF, TOKENS, LAYER = 2, 5, 2, 48, 64, 200, 1


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        dtype = {np.dtype(np.float16): "F16", np.dtype(np.float32): "F32"}[array.dtype]
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


def moe_layer(x, gate, experts):
    logits = x @ gate.T                                        # (tokens, experts)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    top = np.argsort(-probs, axis=1, kind="stable")[:, :TOP_K]  # (tokens, top_k)
    weights = np.take_along_axis(probs, top, axis=1)
    weights /= weights.sum(axis=1, keepdims=True)
    y = np.zeros_like(x)
    for t in range(x.shape[0]):
        for k in range(TOP_K):
            w1, w2, w3 = experts[top[t, k]]
            h = w1 @ x[t]
            y[t] += weights[t, k] * (w2 @ ((h / (1 + np.exp(-h))) * (w3 @ x[t])))
    return y


def main(out):
    rng = np.random.default_rng(2024)
    model_dir = os.path.join(out, "model")
    os.makedirs(model_dir, exist_ok=True)
    shards = [{}, {}]
    layer_weights = {}
    for layer in range(LAYERS):
        prefix = f"model.layers.{layer}.block_sparse_moe"
        shard = shards[layer % 2]
        gate = (rng.standard_normal((EXPERTS, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
        shard[f"{prefix}.gate.weight"] = gate
        experts = []
        for e in range(EXPERTS):
            w1 = (rng.standard_normal((D_FF, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
            w2 = (rng.standard_normal((D_MODEL, D_FF)) / np.sqrt(D_FF)).astype(np.float16)
            w3 = (rng.standard_normal((D_FF, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
            shard[f"{prefix}.experts.{e}.w1.weight"] = w1
            shard[f"{prefix}.experts.{e}.w2.weight"] = w2
            shard[f"{prefix}.experts.{e}.w3.weight"] = w3
            experts.append(tuple(w.astype(np.float64) for w in (w1, w2, w3)))
        layer_weights[layer] = (gate.astype(np.float64), experts)
    shards[0]["model.embed_tokens.weight"] = rng.standard_normal((11, D_MODEL)).astype(np.float32)

    weight_map = {}
    for i, shard in enumerate(shards):
        name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(model_dir, name), shard)
        weight_map.update({key: name for key in shard})
    with open(os.path.join(model_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump({"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": D_MODEL,
                   "intermediate_size": D_FF, "num_local_experts": EXPERTS, "num_experts_per_tok": TOP_K,
                   "num_hidden_layers": LAYERS, "num_attention_heads": 4, "torch_dtype": "float16"}, f)

    x = rng.standard_normal((TOKENS, D_MODEL)).astype(np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    gate, experts = layer_weights[LAYER]
    np.save(os.path.join(out, "expected.npy"), moe_layer(x.astype(np.float64), gate, experts).astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1])
