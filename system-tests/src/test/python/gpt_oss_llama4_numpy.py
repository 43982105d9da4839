"""Writes a small GPT-OSS or Llama-4 checkpoint with numpy alone and computes its MoE layers.

An independent implementation for moe-stream's interop test, transcribing the Hugging Face blocks
(GptOssMLP: GptOssTopKRouter + GptOssExperts, the MXFP4 packing of integrations/mxfp4.py; Llama4TextMoe:
Llama4Router + Llama4TextExperts + the shared Llama4TextMLP) in float64 from the stored weights:

GPT-OSS: logits = x W^T + b; the top-k logits, softmax over those k; per chosen expert
  gate_up = x gate_up_proj[e] + gate_up_proj_bias[e]; gate = gate_up[::2], up = gate_up[1::2];
  gate = min(gate, 7), up = clip(up, -7, 7); h = (up + 1) * gate * sigmoid(1.702 gate);
  out = h down_proj[e] + down_proj_bias[e]; y = sum_k w_k * out_k (the down bias weighted too).
Llama-4: logits = x W^T; scores = sigmoid of the top-k logits, 0 for the others (sigmoid(-inf));
  every expert computes on x * score_e: gate, up = (x s_e) gate_up_proj[e] split in halves;
  out_e = (up * silu(gate)) down_proj[e]; y = shared_expert(x) + sum_e out_e. The scores are applied per (token,
  expert), as transformers does after 4.56.0 (4.54 to 4.56.0 applied them without their transpose).

Layouts: experts fused and input-major, gate_up_proj [E, H, 2I], down_proj [E, I, H]; for GPT-OSS's "mxfp4"
dtype, gate_up_proj_blocks [E, 2I, H/32, 16] / _scales [E, 2I, H/32] and down_proj_blocks [E, H, I/32, 16] /
_scales [E, H, I/32] (U8; low nibble = even column, e2m1 codes, scale = 2^(byte - 127)), the other tensors BF16.
The checkpoint is sharded over two files and carries tensors the server must ignore. GPT-OSS weights are scaled so
that a few percent of the gate and up values lie beyond the clamp limit (stats.json says how many).

usage: gpt_oss_llama4_numpy.py FAMILY OUT_DIR DTYPE SEED
       FAMILY: gpt_oss, llama4_text (top-1, every layer MoE) or llama4 (the multimodal checkpoint: model_type llama4
               with a text_config, tensors under language_model., MoE every 2nd layer, top-2)
       DTYPE:  f32, bf16 or (gpt_oss only) mxfp4
       writes OUT_DIR/model/..., OUT_DIR/x.npy, OUT_DIR/expected-L{layer}.npy per MoE layer, OUT_DIR/stats.json
"""
import json
import os
import sys

import numpy as np

from safetensors_numpy import write_safetensors

D_MODEL, D_FF, TOKENS = 64, 64, 160
LIMIT, ALPHA = 7.0, 1.702
FP4_VALUES = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0])


def to_bf16_bits(a):
    """Round-to-nearest-even float32 -> bf16, as uint16 bits."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


def stored(a, dtype):
    """What the checkpoint holds for a, as (array to write, float64 values the server reads)."""
    if dtype == "bf16":
        bits = to_bf16_bits(a)
        return bits, (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    f = np.asarray(a, dtype=np.float32)
    return f, f.astype(np.float64)


def mxfp4_pack(w):
    """w [E, out, in] -> (blocks [E, out, in/32, 16] U8, scales [E, out, in/32] U8, dequantized float64 [E, out, in])."""
    e, rows, cols = w.shape
    groups = w.reshape(e, rows, cols // 32, 32)
    amax = np.abs(groups).max(axis=3)
    exponent = np.clip(np.ceil(np.log2(np.maximum(amax, 1e-30) / 6.0)), -127, 127).astype(np.int32)
    scaled = groups / np.ldexp(1.0, exponent)[..., None]
    codes = np.abs(scaled[..., None] - FP4_VALUES).argmin(axis=-1).astype(np.uint8)
    blocks = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
    scales = (exponent + 127).astype(np.uint8)
    # dequantize as convert_moe_packed_tensors: low nibble -> even column, high -> odd, times 2^(scale - 127)
    values = np.empty(groups.shape)
    values[..., 0::2] = FP4_VALUES[blocks & 0x0F]
    values[..., 1::2] = FP4_VALUES[blocks >> 4]
    values = np.ldexp(values, (scales.astype(np.int32) - 127)[..., None])
    return blocks, scales, values.reshape(e, rows, cols)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def top_k(logits, k):
    """Indices of the k largest logits per row, descending, ties to the lower index."""
    return np.argsort(-logits, axis=1, kind="stable")[:, :k]


def gpt_oss_layer(x, w):
    logits = x @ w["router"].T + w["router_bias"]
    idx = top_k(logits, w["k"])
    top = np.take_along_axis(logits, idx, axis=1)
    weights = np.exp(top - top.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    y = np.zeros_like(x)
    clamped = [0, 0, 0]
    for t in range(x.shape[0]):
        for slot in range(w["k"]):
            e = idx[t, slot]
            gate_up = x[t] @ w["gate_up"][e] + w["gate_up_bias"][e]
            gate, up = gate_up[0::2], gate_up[1::2]
            clamped[0] += int((gate > LIMIT).sum())
            clamped[1] += int((np.abs(up) > LIMIT).sum())
            clamped[2] += gate.size
            gate = np.minimum(gate, LIMIT)
            up = np.clip(up, -LIMIT, LIMIT)
            out = ((up + 1) * gate * sigmoid(ALPHA * gate)) @ w["down"][e] + w["down_bias"][e]
            y[t] += weights[t, slot] * out
    return y, clamped


def llama4_layer(x, w):
    logits = x @ w["router"].T
    idx = top_k(logits, w["k"])
    scores = np.full_like(logits, -np.inf)
    np.put_along_axis(scores, idx, np.take_along_axis(logits, idx, axis=1), axis=1)
    scores = sigmoid(scores)  # (tokens, E); 0 where not chosen
    y = np.zeros_like(x)
    for e in range(scores.shape[1]):
        routed_in = x * scores[:, e:e + 1]
        gate_up = routed_in @ w["gate_up"][e]
        gate, up = gate_up[:, :D_FF], gate_up[:, D_FF:]
        y += (up * (gate * sigmoid(gate))) @ w["down"][e]
    g, u, d = w["shared"]
    h = x @ g.T
    return y + ((h * sigmoid(h)) * (x @ u.T)) @ d.T, None


def main(family, out, dtype, seed):
    rng = np.random.default_rng(seed)
    gpt_oss = family == "gpt_oss"
    multimodal = family == "llama4"
    experts, k = (8, 4) if gpt_oss else (6, 2 if multimodal else 1)
    layers = 4 if multimodal else 2
    moe_layers = [1, 3] if multimodal else [0, 1]
    prefix = "language_model." if multimodal else ""
    block = "mlp" if gpt_oss else "feed_forward"
    weight_dtype = "bf16" if dtype in ("bf16", "mxfp4") else "f32"
    st_dtype = "BF16" if weight_dtype == "bf16" else "F32"

    def put(shard, name, array, values_dtype=None):
        data, values = stored(array, values_dtype or weight_dtype)
        shard[prefix + name] = (data, "BF16" if (values_dtype or weight_dtype) == "bf16" else "F32")
        return values

    def gaussian(*shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    shards = [{}, {}]
    layer_weights = {}
    for layer in range(layers):
        shard = shards[layer % 2]
        name = f"model.layers.{layer}.{block}"
        if layer not in moe_layers:
            put(shard, f"model.layers.{layer}.feed_forward.gate_proj.weight", gaussian(2 * D_FF, D_MODEL, scale=0.1))
            continue
        w = {"k": k, "router": put(shard, f"{name}.router.weight", gaussian(experts, D_MODEL, scale=1 / np.sqrt(D_MODEL)))}
        gate_up_scale = (3.5 if gpt_oss else 1.0) / np.sqrt(D_MODEL)
        gate_up = gaussian(experts, D_MODEL, 2 * D_FF, scale=gate_up_scale)
        down = gaussian(experts, D_FF, D_MODEL, scale=1 / np.sqrt(D_FF))
        if dtype == "mxfp4":
            # stored output-major and packed; the reference reads the dequantized values, transposed back
            blocks, scales, values = mxfp4_pack(np.swapaxes(gate_up, 1, 2))
            shard[f"{name}.experts.gate_up_proj_blocks"] = (blocks, "U8")
            shard[f"{name}.experts.gate_up_proj_scales"] = (scales, "U8")
            w["gate_up"] = np.swapaxes(values, 1, 2)
            blocks, scales, values = mxfp4_pack(np.swapaxes(down, 1, 2))
            shard[f"{name}.experts.down_proj_blocks"] = (blocks, "U8")
            shard[f"{name}.experts.down_proj_scales"] = (scales, "U8")
            w["down"] = np.swapaxes(values, 1, 2)
        else:
            w["gate_up"] = put(shard, f"{name}.experts.gate_up_proj", gate_up)
            w["down"] = put(shard, f"{name}.experts.down_proj", down)
        if gpt_oss:
            w["router_bias"] = put(shard, f"{name}.router.bias", gaussian(experts, scale=0.3))
            w["gate_up_bias"] = put(shard, f"{name}.experts.gate_up_proj_bias", gaussian(experts, 2 * D_FF, scale=0.5))
            w["down_bias"] = put(shard, f"{name}.experts.down_proj_bias", gaussian(experts, D_MODEL, scale=0.5))
        else:
            w["shared"] = tuple(put(shard, f"{name}.shared_expert.{p}.weight", gaussian(*shape, scale=1 / np.sqrt(shape[1])))
                                for p, shape in (("gate_proj", (D_FF, D_MODEL)), ("up_proj", (D_FF, D_MODEL)),
                                                 ("down_proj", (D_MODEL, D_FF))))
        layer_weights[layer] = w
    put(shards[0], "model.embed_tokens.weight", gaussian(11, D_MODEL, scale=1.0))

    model_dir = os.path.join(out, "model")
    os.makedirs(model_dir, exist_ok=True)
    weight_map = {}
    for i, shard in enumerate(shards):
        file = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(model_dir, file), shard)
        weight_map.update({key: file for key in shard})
    with open(os.path.join(model_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
    torch_dtype = "bfloat16" if weight_dtype == "bf16" else "float32"
    if gpt_oss:
        config = {"architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss", "hidden_size": D_MODEL,
                  "intermediate_size": D_FF, "num_local_experts": experts, "num_experts_per_tok": k,
                  "num_hidden_layers": layers, "swiglu_limit": LIMIT, "torch_dtype": torch_dtype}
        if dtype == "mxfp4":
            config["quantization_config"] = {"quant_method": "mxfp4",
                                             "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router"]}
    else:
        text = {"model_type": "llama4_text", "hidden_size": D_MODEL, "intermediate_size": D_FF,
                "intermediate_size_mlp": 2 * D_FF, "num_local_experts": experts, "num_experts_per_tok": k,
                "num_hidden_layers": layers, "torch_dtype": torch_dtype}
        if multimodal:
            text["interleave_moe_layer_step"] = 2
            config = {"architectures": ["Llama4ForConditionalGeneration"], "model_type": "llama4", "text_config": text,
                      "vision_config": {"model_type": "llama4_vision_model", "hidden_size": 32}}
        else:
            config = {"architectures": ["Llama4ForCausalLM"], **text}
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(config, f)

    x = rng.standard_normal((TOKENS, D_MODEL)).astype(np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    clamped = [0, 0, 0]
    for layer in moe_layers:
        layer_fn = gpt_oss_layer if gpt_oss else llama4_layer
        expected, counts = layer_fn(x.astype(np.float64), layer_weights[layer])
        if counts:
            clamped = [a + b for a, b in zip(clamped, counts)]
        np.save(os.path.join(out, f"expected-L{layer}.npy"), expected.astype(np.float32))
    stats = {"moe_layers": moe_layers}
    if gpt_oss:
        stats["gate_above_limit"] = clamped[0] / clamped[2]
        stats["up_beyond_limit"] = clamped[1] / clamped[2]
    with open(os.path.join(out, "stats.json"), "w") as f:
        json.dump(stats, f)
    print(json.dumps(stats))


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("gpt_oss", "llama4_text", "llama4") \
            or sys.argv[3] not in ("f32", "bf16", "mxfp4") or (sys.argv[3] == "mxfp4" and sys.argv[1] != "gpt_oss"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
