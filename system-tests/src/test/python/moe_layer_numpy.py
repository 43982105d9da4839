"""Writes a small MoE checkpoint with numpy alone and computes one MoE layer of it.

An independent implementation for moe-stream's interop test: the checkpoint is sharded
(model.safetensors.index.json over two files), stores the weights as F16 (DeepSeek-V3's selection bias
as F32, as its checkpoints do), and carries a non-MoE tensor that the server must ignore. The layer is
computed in float64 from the stored weights, transcribing the Hugging Face sparse MoE blocks of each
family (MixtralSparseMoeBlock, Qwen2MoeSparseMoeBlock, Qwen3MoeSparseMoeBlock, OlmoeSparseMoeBlock,
DeepseekV2Moe, DeepseekV3MoE): scores (softmax, or sigmoid for DeepSeek-V3), the selection bias and
group-limited choice of DeepSeek, top-k, renormalization where the family does it, the routed scaling
factor, y = sum_k w_k * down(silu(gate(x)) * up(x)), plus the shared expert where there is one.

With LAYOUT "fused", the routed experts of each layer are stored as newer Hugging Face checkpoints store them:
{block}.experts.gate_up_proj [E, 2*I, H] (each expert's gate rows, then its up rows) and
{block}.experts.down_proj [E, H, I]; with "per-expert" (the default) as {block}.experts.{e}.{proj}.weight.

usage: moe_layer_numpy.py FAMILY OUT_DIR [LAYOUT]
       FAMILY: mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2, deepseek_v3
       LAYOUT: per-expert (default) or fused
       writes OUT_DIR/model/..., OUT_DIR/x.npy, and OUT_DIR/expected-L{layer}.npy for every layer
"""
import json
import os
import sys

import numpy as np

from safetensors_numpy import write_safetensors

LAYERS, EXPERTS, TOP_K, D_MODEL, D_FF, TOKENS = 2, 6, 2, 48, 64, 200
GROUPS, TOP_GROUPS = 2, 1

# Per family: architecture, config keys of the expert count and size, MoE block, expert projection names
# (gate, up, down), shared expert block (or None) and its width in routed-expert sizes, and extra config keys.
FAMILIES = {
    "mixtral": ("MixtralForCausalLM", "num_local_experts", "intermediate_size", "block_sparse_moe",
                ("w1", "w3", "w2"), None, 0, {}),
    "qwen2_moe": ("Qwen2MoeForCausalLM", "num_experts", "moe_intermediate_size", "mlp",
                  ("gate_proj", "up_proj", "down_proj"), "shared_expert", 2,
                  {"norm_topk_prob": False, "shared_expert_intermediate_size": 2 * D_FF}),
    "qwen3_moe": ("Qwen3MoeForCausalLM", "num_experts", "moe_intermediate_size", "mlp",
                  ("gate_proj", "up_proj", "down_proj"), None, 0, {"norm_topk_prob": True}),
    "olmoe": ("OlmoeForCausalLM", "num_experts", "intermediate_size", "mlp",
              ("gate_proj", "up_proj", "down_proj"), None, 0, {"norm_topk_prob": False}),
    "deepseek_v2": ("DeepseekV2ForCausalLM", "n_routed_experts", "moe_intermediate_size", "mlp",
                    ("gate_proj", "up_proj", "down_proj"), "shared_experts", 2,
                    {"n_shared_experts": 2, "topk_method": "group_limited_greedy", "n_group": GROUPS,
                     "topk_group": TOP_GROUPS, "routed_scaling_factor": 1.5, "norm_topk_prob": False}),
    "deepseek_v3": ("DeepseekV3ForCausalLM", "n_routed_experts", "moe_intermediate_size", "mlp",
                    ("gate_proj", "up_proj", "down_proj"), "shared_experts", 1,
                    {"n_shared_experts": 1, "topk_method": "noaux_tc", "scoring_func": "sigmoid", "n_group": GROUPS,
                     "topk_group": TOP_GROUPS, "routed_scaling_factor": 2.5, "norm_topk_prob": True}),
}


def swiglu(x, gate_w, up_w, down_w):
    h = gate_w @ x
    return down_w @ ((h / (1 + np.exp(-h))) * (up_w @ x))


def route(family, logits, bias):
    """(top expert ids, weights) per row, as the family's Hugging Face router computes them."""
    if family == "deepseek_v3":
        scores = 1 / (1 + np.exp(-logits))
    else:
        scores = np.exp(logits - logits.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
    choice = scores + bias if bias is not None else scores.copy()
    if family.startswith("deepseek"):
        grouped = choice.reshape(len(choice), GROUPS, -1)
        if family == "deepseek_v3":
            group_scores = -np.sort(-grouped, axis=2)[:, :, :2].sum(axis=2)
        else:
            group_scores = grouped.max(axis=2)
        best_groups = np.argsort(-group_scores, axis=1, kind="stable")[:, :TOP_GROUPS]
        mask = np.zeros_like(group_scores, dtype=bool)
        np.put_along_axis(mask, best_groups, True, axis=1)
        choice = np.where(np.repeat(mask, EXPERTS // GROUPS, axis=1), choice, 0.0)
    top = np.argsort(-choice, axis=1, kind="stable")[:, :TOP_K]
    weights = np.take_along_axis(scores, top, axis=1)
    config = FAMILIES[family][7]
    if family == "mixtral" or config.get("norm_topk_prob", False):
        weights = weights / weights.sum(axis=1, keepdims=True)
    return top, weights * config.get("routed_scaling_factor", 1.0)


def moe_layer(family, x, weights):
    gate, bias, experts, shared, shared_gate = weights
    top, w = route(family, x @ gate.T, bias)
    y = np.zeros_like(x)
    for t in range(x.shape[0]):
        for k in range(TOP_K):
            y[t] += w[t, k] * swiglu(x[t], *experts[top[t, k]])
        if shared is not None:
            scale = 1.0 if shared_gate is None else 1 / (1 + np.exp(-(shared_gate @ x[t])[0]))
            y[t] += scale * swiglu(x[t], *shared)
    return y


def mlp(rng, width):
    gate_w = (rng.standard_normal((width, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
    up_w = (rng.standard_normal((width, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
    down_w = (rng.standard_normal((D_MODEL, width)) / np.sqrt(width)).astype(np.float16)
    return gate_w, up_w, down_w


def main(family, out, layout):
    architecture, experts_key, size_key, block, names, shared_block, shared_width, extra = FAMILIES[family]
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
        bias = None
        if family == "deepseek_v3":
            bias = (0.3 * rng.standard_normal(EXPERTS)).astype(np.float32)
            shard[f"{prefix}.gate.e_score_correction_bias"] = bias
        experts = []
        for e in range(EXPERTS):
            weights = mlp(rng, D_FF)
            if layout == "per-expert":
                for name, w in zip(names, weights):
                    shard[f"{prefix}.experts.{e}.{name}.weight"] = w
            experts.append(tuple(w.astype(np.float64) for w in weights))
        if layout == "fused":
            # gate_up_proj [E, 2I, H]: expert e's gate rows, then its up rows; down_proj [E, H, I]
            shard[f"{prefix}.experts.gate_up_proj"] = np.stack(
                [np.concatenate([g, u], axis=0) for g, u, _ in experts]).astype(np.float16)
            shard[f"{prefix}.experts.down_proj"] = np.stack([d for _, _, d in experts]).astype(np.float16)
        shared, shared_gate = None, None
        if shared_block:
            weights = mlp(rng, shared_width * D_FF)
            for name, w in zip(names, weights):
                shard[f"{prefix}.{shared_block}.{name}.weight"] = w
            shared = tuple(w.astype(np.float64) for w in weights)
        if family == "qwen2_moe":
            shared_gate = (rng.standard_normal((1, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float16)
            shard[f"{prefix}.shared_expert_gate.weight"] = shared_gate
            shared_gate = shared_gate.astype(np.float64)
        layer_weights[layer] = (gate.astype(np.float64), None if bias is None else bias.astype(np.float64),
                                experts, shared, shared_gate)
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
              "num_attention_heads": 4, "torch_dtype": "float16", **extra}
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(config, f)

    x = rng.standard_normal((TOKENS, D_MODEL)).astype(np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    for layer in range(LAYERS):
        expected = moe_layer(family, x.astype(np.float64), layer_weights[layer])
        np.save(os.path.join(out, f"expected-L{layer}.npy"), expected.astype(np.float32))


if __name__ == "__main__":
    chosen = sys.argv[3] if len(sys.argv) > 3 else "per-expert"
    if chosen not in ("per-expert", "fused"):
        sys.exit(f"layout {chosen!r} is not per-expert or fused")
    main(sys.argv[1], sys.argv[2], chosen)
