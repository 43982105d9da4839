"""Writes a small MoE checkpoint with numpy alone and computes one MoE layer of it.

An independent implementation for moe-stream's interop test: the checkpoint is sharded
(model.safetensors.index.json over two files), stores the weights as F16, and carries a non-MoE
tensor that the server must ignore. The layer is computed in float64 from the stored (F16) weights,
following the Hugging Face sparse MoE blocks of each family (MixtralSparseMoeBlock,
Qwen3MoeSparseMoeBlock, OlmoeSparseMoeBlock): softmax over all experts, top-k, renormalise the k
weights (always for Mixtral, when norm_topk_prob for the others),
y = sum_k w_k * down(silu(gate(x)) * up(x)).

usage: moe_layer_numpy.py FAMILY OUT_DIR   (FAMILY: mixtral, qwen3_moe, olmoe)
       writes OUT_DIR/model/..., OUT_DIR/x.npy, OUT_DIR/expected.npy
"""
import json
import os
import struct
import sys

import numpy as np

LAYERS, EXPERTS, TOP_K, D_MODEL, D_FF, TOKENS, LAYER = 2, 5, 2, 48, 64, 200, 1

# Per family: architecture, config keys of the expert count and size, MoE block name, expert projection names
# (gate, up, down), and norm_topk_prob (None: the family has no such key and always renormalises).
FAMILIES = {
    "mixtral": ("MixtralForCausalLM", "num_local_experts", "intermediate_size", "block_sparse_moe",
                ("w1", "w3", "w2"), None),
    "qwen3_moe": ("Qwen3MoeForCausalLM", "num_experts", "moe_intermediate_size", "mlp",
                  ("gate_proj", "up_proj", "down_proj"), True),
    "olmoe": ("OlmoeForCausalLM", "num_experts", "intermediate_size", "mlp",
              ("gate_proj", "up_proj", "down_proj"), False),
}


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


def moe_layer(x, gate, experts, renormalise):
    logits = x @ gate.T                                        # (tokens, experts)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    top = np.argsort(-probs, axis=1, kind="stable")[:, :TOP_K]  # (tokens, top_k)
    weights = np.take_along_axis(probs, top, axis=1)
    if renormalise:
        weights /= weights.sum(axis=1, keepdims=True)
    y = np.zeros_like(x)
    for t in range(x.shape[0]):
        for k in range(TOP_K):
            gate_w, up_w, down_w = experts[top[t, k]]
            h = gate_w @ x[t]
            y[t] += weights[t, k] * (down_w @ ((h / (1 + np.exp(-h))) * (up_w @ x[t])))
    return y


def main(family, out):
    architecture, experts_key, size_key, block, (gate_name, up_name, down_name), norm_topk_prob = FAMILIES[family]
    rng = np.random.default_rng(2024)
    model_dir = os.path.join(out, "model")
    os.makedirs(model_dir, exist_ok=True)
    shards = [{}, {}]
    layer_weights = {}
    for layer in range(LAYERS):
        prefix = f"model.layers.{layer}.{block}"
        shard = shards[layer % 2]
        gate = (rng.standard_normal((EXPERTS, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
        shard[f"{prefix}.gate.weight"] = gate
        experts = []
        for e in range(EXPERTS):
            gate_w = (rng.standard_normal((D_FF, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
            up_w = (rng.standard_normal((D_FF, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
            down_w = (rng.standard_normal((D_MODEL, D_FF)) / np.sqrt(D_FF)).astype(np.float16)
            shard[f"{prefix}.experts.{e}.{gate_name}.weight"] = gate_w
            shard[f"{prefix}.experts.{e}.{up_name}.weight"] = up_w
            shard[f"{prefix}.experts.{e}.{down_name}.weight"] = down_w
            experts.append(tuple(w.astype(np.float64) for w in (gate_w, up_w, down_w)))
        layer_weights[layer] = (gate.astype(np.float64), experts)
    shards[0]["model.embed_tokens.weight"] = rng.standard_normal((11, D_MODEL)).astype(np.float32)

    weight_map = {}
    for i, shard in enumerate(shards):
        name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(model_dir, name), shard)
        weight_map.update({key: name for key in shard})
    with open(os.path.join(model_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
    config = {"architectures": [architecture], "model_type": family, "hidden_size": D_MODEL, size_key: D_FF,
              experts_key: EXPERTS, "num_experts_per_tok": TOP_K, "num_hidden_layers": LAYERS,
              "num_attention_heads": 4, "torch_dtype": "float16"}
    if norm_topk_prob is not None:
        config["norm_topk_prob"] = norm_topk_prob
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(config, f)

    x = rng.standard_normal((TOKENS, D_MODEL)).astype(np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    gate, experts = layer_weights[LAYER]
    renormalise = norm_topk_prob is None or norm_topk_prob
    expected = moe_layer(x.astype(np.float64), gate, experts, renormalise)
    np.save(os.path.join(out, "expected.npy"), expected.astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
